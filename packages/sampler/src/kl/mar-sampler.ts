import { type Tensor, tensor, throwIfAborted } from '@maskgen/core';
import { concatBatch } from '../batch-rows.js';
import type { MaskGenKlSpec } from './kl-config.js';
import { type MarOptions, resolveMarOptions } from './mar-options.js';
import { type DiffusionModel, reverseDiffusion } from './reverse-diffusion.js';

export type { MarOptions } from './mar-options.js';

/**
 * What the MAR sampler needs of a generator: its shapes and defaults, the condition embedding, the MAE
 * decoder and a diffusion head. `MaskGenKL` is one; a scripted stand-in lets schedule, CFG and ordering
 * tests run without a runtime or a checkpoint.
 */
export interface MarModel extends DiffusionModel {
  readonly spec: Pick<MaskGenKlSpec, 'dim' | 'tokenSize' | 'mlpWidth' | 'mlpBlocks' | 'seqLen' | 'scaleFactor' | 'textEmbedDim' | 'defaults'>;
  /** Embedded conditions: condition [B, L, Dt], pooled [B, 1, Dt], one aesthetic score per row. */
  embedCondition(
    condition: Tensor,
    pooled: Tensor,
    scores: ArrayLike<number>,
    opts?: { signal?: AbortSignal },
  ): Promise<{ condition: Tensor<'float32'>; pooled: Tensor<'float32'> }>;
  /** forward_mae_decoder: tokens [B, L, C], mask [B, L] (1 = masked) → decoder rows z [B, L, D]. */
  forwardMae(tokens: Tensor, mask: Tensor, condition: Tensor, pooled: Tensor, opts?: { signal?: AbortSignal }): Promise<Tensor<'float32'>>;
}

/** Latents [B, L, C] → [B, C, 1, L] divided by the VAE scale factor (unpatchify with patch 1); kept positions are copied from `given`. */
function toDecoderLayout(tokens: Float32Array, B: number, L: number, C: number, scale: number, keep: Uint8Array, given?: Tensor<'float32'>): Tensor<'float32'> {
  const out = new Float32Array(B * C * L);
  const s = Math.fround(scale);
  for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) for (let c = 0; c < C; c++) out[(b * C + c) * L + l] = Math.fround(tokens[(b * L + l) * C + c] / s);
  if (given)
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) if (keep[b * L + l]) for (let c = 0; c < C; c++) out[(b * C + c) * L + l] = given.data[(b * C + c) * L + l];
  return tensor('float32', [B, C, 1, L], out);
}

/** MaskGen_KL.sample_tokens: random orders, cosine mask ratio, CFG as one batch, per-step diffusion of the chosen tokens. */
export async function marSample(model: MarModel, o: MarOptions): Promise<Tensor<'float32'>> {
  const f = Math.fround;
  const { seqLen: L, tokenSize: C, dim: D } = model.spec;
  const { B, numIter, cfg, cfgSchedule: schedule, temperature, aestheticScore, uncondCondition, uncondPooled, keep } = resolveMarOptions(model.spec, o);
  throwIfAborted(o.signal, 'MaskGen-KL sampling');
  const aes = new Array(B).fill(aestheticScore);
  // Kept positions leave the order, so the schedule runs over the M generated ones (M = L: the reference).
  const orders = Array.from({ length: B }, (_, b) => Array.from(o.rng.shuffle(L)).filter((p) => !keep[b * L + p]));
  const M = L - keep.subarray(0, L).reduce((a, v) => a + v, 0);
  let mask = Float32Array.from(keep, (k) => 1 - k);
  let tokens = new Float32Array(B * L * C);
  const scale = f(model.spec.scaleFactor);
  if (o.initial) {
    const given = o.initial.latents.data;
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) if (keep[b * L + l]) for (let c = 0; c < C; c++) tokens[(b * L + l) * C + c] = f(given[(b * C + c) * L + l] * scale);
  }
  const result = () => toDecoderLayout(tokens, B, L, C, model.spec.scaleFactor, keep, o.initial?.latents);
  if (M === 0) return result();
  const useCfg = cfg !== 1.0;
  const cond = await model.embedCondition(o.condition, o.pooled, aes, o);
  const uncond = await model.embedCondition(uncondCondition, uncondPooled, aes, o);
  const condIn = useCfg ? concatBatch([cond.condition, uncond.condition]) : cond.condition;
  const pooledIn = useCfg ? concatBatch([cond.pooled, uncond.pooled]) : cond.pooled;
  const Bp = useCfg ? 2 * B : B;
  for (let step = 0; step < numIter; step++) {
    throwIfAborted(o.signal, 'MaskGen-KL sampling');
    const tokIn = useCfg ? concat2(tokens) : tokens;
    const maskIn = useCfg ? concat2(mask) : mask;
    const z = await model.forwardMae(tensor('float32', [Bp, L, C], tokIn), tensor('float32', [Bp, L], maskIn), condIn, pooledIn, o);
    const ratio = Math.cos(((Math.PI / 2) * (step + 1)) / numIter);
    const masked0 = mask.subarray(0, L).reduce((a, v) => a + v, 0);
    const maskLen = Math.max(1, Math.min(masked0 - 1, f(Math.floor(M * ratio))));
    const next = new Float32Array(B * L);
    for (let b = 0; b < B; b++) for (let j = 0; j < maskLen; j++) next[b * L + orders[b][j]] = 1;
    const toPred = Array.from(mask, (m, k) => (step >= numIter - 1 ? m === 1 : (m === 1) !== (next[k] === 1)));
    mask = next;
    const rows: number[] = [];
    for (let b = 0; b < Bp; b++) for (let l = 0; l < L; l++) if (toPred[(b % B) * L + l]) rows.push(b * L + l);
    const zRows = new Float32Array(rows.length * D);
    rows.forEach((r, i) => zRows.set((z.data as Float32Array).subarray(r * D, (r + 1) * D), i * D));
    const cfgIter = schedule === 'linear' ? f(1 + f(f(f(cfg - 1) * f(M - maskLen)) / M)) : cfg;
    // DiffLoss.sample guides whenever cfg_iter != 1; it returns the cond half of the rows then.
    const sampled = await reverseDiffusion(model, tensor('float32', [rows.length, D], zRows), { rng: o.rng, temperature, cfg: cfgIter, signal: o.signal });
    const next2 = tokens.slice();
    rows.slice(0, useCfg ? rows.length / 2 : rows.length).forEach((r, i) => next2.set(sampled.subarray(i * C, (i + 1) * C), r * C));
    tokens = next2;
    o.onProgress?.({ phase: 'sample', step: step + 1, total: numIter });
    o.onStep?.(step + 1, numIter, result());
  }
  return result();
}

function concat2(a: Float32Array): Float32Array {
  const out = new Float32Array(a.length * 2);
  out.set(a);
  out.set(a, a.length);
  return out;
}
