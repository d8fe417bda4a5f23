import { MaskgenError, type Rng, type Tensor, quote, tensor, throwIfAborted } from '@maskgen/core';
import { concatBatch } from '../vq/maskgen-vq.js';
import { pSample } from './gaussian-diffusion.js';
import type { MaskGenKL } from './maskgen-kl.js';

/** Settings of one MAR sampling run (defaults: the model config's). */
export interface MarOptions {
  /** CLIP penultimate states [B, 77, D] and pooled embeddings [B, 1, E] of the prompts. */
  condition: Tensor<'float32'>;
  pooled: Tensor<'float32'>;
  /** The same for the empty prompt, [1, 77, D] / [1, 1, E]. */
  uncondCondition: Tensor<'float32'>;
  uncondPooled: Tensor<'float32'>;
  rng: Rng;
  numIter?: number;
  cfg?: number;
  cfgSchedule?: 'linear' | 'constant';
  temperature?: number;
  aestheticScore?: number;
  signal?: AbortSignal;
  /** Called after every outer step with the current latents [B, C, 1, L] (unscaled like the result). */
  onStep?: (step: number, total: number, latents: Tensor<'float32'>) => void;
}

/** The reverse diffusion of DiffLoss.sample for the rows `z` [N, D]: one MLP run per step, all rows batched. */
async function diffusionSample(model: MaskGenKL, z: Tensor<'float32'>, o: { rng: Rng; temperature: number; cfg: number; useCfg: boolean; signal?: AbortSignal }): Promise<Float32Array> {
  const N = z.dims[0];
  const C = model.spec.tokenSize;
  const s = model.schedule;
  let x: Float32Array;
  if (o.useCfg) {
    const half = o.rng.normal([N / 2, C], { like: false });
    x = new Float32Array(N * C);
    x.set(half);
    x.set(half, half.length);
  } else x = o.rng.normal([N, C], { like: false });
  for (let i = s.betas.length - 1; i >= 0; i--) {
    const t = tensor('int64', [N], new BigInt64Array(N).fill(BigInt(s.timestepMap[i])));
    const xt = tensor('float32', [N, C], x);
    const out = o.useCfg ? await model.mlpForwardCfg(xt, t, z, o.cfg, o) : await model.mlpForward(xt, t, z, o);
    const eps = new Float32Array(N * C);
    const v = new Float32Array(N * C);
    for (let r = 0; r < N; r++) {
      eps.set(out.subarray(r * 2 * C, r * 2 * C + C), r * C);
      v.set(out.subarray(r * 2 * C + C, (r + 1) * 2 * C), r * C);
    }
    x = pSample(s, i, x, eps, v, o.rng.normal([N, C], { like: true }), o.temperature);
  }
  return x;
}

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
  const { seqLen: L, tokenSize: C, dim: D, defaults } = model.spec;
  const B = o.condition.dims[0];
  const numIter = o.numIter ?? defaults.numIter;
  if (!Number.isInteger(numIter) || numIter < 1) throw new MaskgenError('INVALID_ARGUMENT', `numIter: expected a positive integer, got ${quote(numIter)}`);
  const cfg = o.cfg ?? defaults.cfg;
  const schedule = o.cfgSchedule ?? defaults.cfgSchedule;
  const temperature = o.temperature ?? defaults.temperature;
  const aes = new Array(B).fill(o.aestheticScore ?? defaults.aestheticScore);
  const orders = Array.from({ length: B }, () => o.rng.shuffle(L));
  const useCfg = cfg !== 1.0;
  const cond = await model.embedCondition(o.condition, o.pooled, aes, o);
  const uncond = await model.embedCondition(concatBatch(new Array(B).fill(o.uncondCondition)), concatBatch(new Array(B).fill(o.uncondPooled)), aes, o);
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
    const sampled = await diffusionSample(model, tensor('float32', [rows.length, D], zRows), { rng: o.rng, temperature, cfg: cfgIter, useCfg, signal: o.signal });
    const next2 = tokens.slice();
    rows.slice(0, useCfg ? rows.length / 2 : rows.length).forEach((r, i) => next2.set(sampled.subarray(i * C, (i + 1) * C), r * C));
    tokens = next2;
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
