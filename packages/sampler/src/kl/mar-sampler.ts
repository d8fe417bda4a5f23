import { type Tensor, tensor, throwIfAborted } from '@maskgen/core';
import { concatBatch } from '../batch-rows.js';
import { type MarOptions, resolveMarOptions } from './mar-options.js';
import type { MaskGenKL } from './maskgen-kl.js';
import { reverseDiffusion } from './reverse-diffusion.js';

export type { MarOptions } from './mar-options.js';

/** Latents [B, L, C] → [B, C, 1, L] divided by the VAE scale factor (unpatchify with patch 1). */
function toDecoderLayout(tokens: Float32Array, B: number, L: number, C: number, scale: number): Tensor<'float32'> {
  const out = new Float32Array(B * C * L);
  const s = Math.fround(scale);
  for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) for (let c = 0; c < C; c++) out[(b * C + c) * L + l] = Math.fround(tokens[(b * L + l) * C + c] / s);
  return tensor('float32', [B, C, 1, L], out);
}

/** MaskGen_KL.sample_tokens: random orders, cosine mask ratio, CFG as one batch, per-step diffusion of the chosen tokens. */
export async function marSample(model: MaskGenKL, o: MarOptions): Promise<Tensor<'float32'>> {
  const f = Math.fround;
  const { seqLen: L, tokenSize: C, dim: D } = model.spec;
  const { B, numIter, cfg, cfgSchedule: schedule, temperature, aestheticScore, uncondCondition, uncondPooled } = resolveMarOptions(model.spec, o);
  throwIfAborted(o.signal, 'MaskGen-KL sampling');
  const aes = new Array(B).fill(aestheticScore);
  const orders = Array.from({ length: B }, () => o.rng.shuffle(L));
  const useCfg = cfg !== 1.0;
  const cond = await model.embedCondition(o.condition, o.pooled, aes, o);
  const uncond = await model.embedCondition(uncondCondition, uncondPooled, aes, o);
  const condIn = useCfg ? concatBatch([cond.condition, uncond.condition]) : cond.condition;
  const pooledIn = useCfg ? concatBatch([cond.pooled, uncond.pooled]) : cond.pooled;
  let mask = new Float32Array(B * L).fill(1);
  let tokens = new Float32Array(B * L * C);
  const Bp = useCfg ? 2 * B : B;
  for (let step = 0; step < numIter; step++) {
    throwIfAborted(o.signal, 'MaskGen-KL sampling');
    const tokIn = useCfg ? concat2(tokens) : tokens;
    const maskIn = useCfg ? concat2(mask) : mask;
    const z = await model.forwardMae(tensor('float32', [Bp, L, C], tokIn), tensor('float32', [Bp, L], maskIn), condIn, pooledIn, o);
    const ratio = Math.cos(((Math.PI / 2) * (step + 1)) / numIter);
    const masked0 = mask.subarray(0, L).reduce((a, v) => a + v, 0);
    const maskLen = Math.max(1, Math.min(masked0 - 1, f(Math.floor(L * ratio))));
    const next = new Float32Array(B * L);
    for (let b = 0; b < B; b++) for (let j = 0; j < maskLen; j++) next[b * L + orders[b][j]] = 1;
    const toPred = Array.from(mask, (m, k) => (step >= numIter - 1 ? m === 1 : (m === 1) !== (next[k] === 1)));
    mask = next;
    const rows: number[] = [];
    for (let b = 0; b < Bp; b++) for (let l = 0; l < L; l++) if (toPred[(b % B) * L + l]) rows.push(b * L + l);
    const zRows = new Float32Array(rows.length * D);
    rows.forEach((r, i) => zRows.set((z.data as Float32Array).subarray(r * D, (r + 1) * D), i * D));
    const cfgIter = schedule === 'linear' ? f(1 + f(f(f(cfg - 1) * f(L - maskLen)) / L)) : cfg;
    // DiffLoss.sample guides whenever cfg_iter != 1; it returns the cond half of the rows then.
    const sampled = await reverseDiffusion(model, tensor('float32', [rows.length, D], zRows), { rng: o.rng, temperature, cfg: cfgIter, signal: o.signal });
    const next2 = tokens.slice();
    rows.slice(0, useCfg ? rows.length / 2 : rows.length).forEach((r, i) => next2.set(sampled.subarray(i * C, (i + 1) * C), r * C));
    tokens = next2;
    o.onProgress?.({ phase: 'sample', step: step + 1, total: numIter });
    o.onStep?.(step + 1, numIter, toDecoderLayout(tokens, B, L, C, model.spec.scaleFactor));
  }
  return toDecoderLayout(tokens, B, L, C, model.spec.scaleFactor);
}

function concat2(a: Float32Array): Float32Array {
  const out = new Float32Array(a.length * 2);
  out.set(a);
  out.set(a, a.length);
  return out;
}
