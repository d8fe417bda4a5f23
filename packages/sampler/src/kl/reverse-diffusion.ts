import { MaskgenError, type Rng, type Tensor, quote, tensor, throwIfAborted } from '@maskgen/core';
import { modulationWidth } from './diffloss-split-graphs.js';
import { type DiffusionSchedule, pSample } from './gaussian-diffusion.js';
import type { MaskGenKlSpec } from './kl-config.js';

/** Default bytes of precomputed adaLN modulations held at once: all 100 steps of a CFG row pair of the L/XL MLPs. */
const MODULATION_BUDGET = 32 * 2 ** 20;

/**
 * What the reverse diffusion needs of a DiffLoss head: its schedule, its widths, and the MLP split in
 * two (modulations of all steps, then the x-dependent layers). `MaskGenKL` is one.
 */
export interface DiffusionModel {
  readonly spec: Pick<MaskGenKlSpec, 'dim' | 'tokenSize' | 'mlpWidth' | 'mlpBlocks'>;
  readonly schedule: DiffusionSchedule;
  /** adaLN modulations for condition rows z [R, D] at original timesteps t [K] → [K·R·M]. */
  diffusionModulations(z: Tensor, t: Tensor, opts?: { signal?: AbortSignal }): Promise<Float32Array>;
  /** x [R, C] under modulations [R, M] → [eps | var] [R, 2C]. */
  diffusionStep(x: Tensor, mods: Tensor, opts?: { signal?: AbortSignal }): Promise<Float32Array>;
}

/** One outer step's DiffLoss.sample request. */
export interface ReverseDiffusionOptions {
  rng: Rng;
  /** cfg_iter of the outer step; 1 means unguided, as in DiffLoss.sample. */
  cfg: number;
  temperature: number;
  signal?: AbortSignal;
  /** Bytes of precomputed modulations held at once (default 32 MiB); reverse steps are batched in chunks under it. */
  modulationBudget?: number;
}

/**
 * DiffLoss.sample for the decoder rows `z` [R, D] (cond rows then uncond rows when guided): the
 * respaced reverse diffusion from randn noise, one MLP run per step with every row batched. The
 * x-independent adaLN modulations of all steps come from one batched run first, so each step only
 * reads the res blocks' MLP weights. Draws follow the reference: randn for the start (half the rows,
 * shared by cond and uncond, when guided), then randn_like of all R rows per step. When guided the
 * reference's uncond half never reaches its result, so only the returned rows are carried: R/2 rows
 * (the cond half) when guided, else R.
 */
export async function reverseDiffusion(model: DiffusionModel, z: Tensor<'float32'>, o: ReverseDiffusionOptions): Promise<Float32Array> {
  const f = Math.fround;
  const s = model.schedule;
  const S = s.betas.length;
  const C = model.spec.tokenSize;
  const R = z.dims[0];
  const guided = o.cfg !== 1;
  if (z.dims.length !== 2 || z.dims[1] !== model.spec.dim || (guided && R % 2)) {
    throw new MaskgenError(
      'INVALID_ARGUMENT',
      `z: expected [R, ${model.spec.dim}] decoder rows (R even: cond then uncond, when cfg ≠ 1), got ${quote(z.dims)}`,
    );
  }
  const n = guided ? R / 2 : R;
  const M = modulationWidth(model.spec);
  const chunk = Math.max(1, Math.min(S, Math.floor((o.modulationBudget ?? MODULATION_BUDGET) / (R * M * 4))));
  const scale = f(o.cfg);
  let x = o.rng.normal([n, C], { like: false });
  let mods: Float32Array = new Float32Array(0);
  for (let j = 0; j < S; j++) {
    throwIfAborted(o.signal, 'MaskGen-KL diffusion');
    if (j % chunk === 0) {
      const ts = Array.from({ length: Math.min(chunk, S - j) }, (_, k) => s.timestepMap[S - 1 - j - k]);
      mods = await model.diffusionModulations(z, tensor('int64', [ts.length], ts), o);
    }
    const i = S - 1 - j;
    const xin = new Float32Array(R * C);
    for (let r = 0; r < R; r += n) xin.set(x, r * C);
    const at = (j % chunk) * R * M;
    const out = await model.diffusionStep(tensor('float32', [R, C], xin), tensor('float32', [R, M], mods.subarray(at, at + R * M)), o);
    const eps = new Float32Array(n * C);
    const v = new Float32Array(n * C);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < C; k++) {
        const cond = out[r * 2 * C + k];
        const uncond = out[(r + R - n) * 2 * C + k];
        eps[r * C + k] = guided ? f(uncond + f(scale * f(cond - uncond))) : cond;
        v[r * C + k] = out[r * 2 * C + C + k];
      }
    }
    x = pSample(s, i, x, eps, v, o.rng.normal([R, C], { like: true }).subarray(0, n * C), o.temperature);
  }
  return x;
}
