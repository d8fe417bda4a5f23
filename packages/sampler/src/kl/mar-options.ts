import { MaskgenError, type ProgressCallback, type Rng, type Tensor, quote } from '@maskgen/core';
import { uncondRows } from '../batch-rows.js';
import type { MaskGenKlSpec } from './kl-config.js';

/** Settings of one MAR sampling run (defaults: the model config's). */
export interface MarOptions {
  /** CLIP penultimate states [B, 77, D] and pooled embeddings [B, 1, E] of the prompts. */
  condition: Tensor<'float32'>;
  pooled: Tensor<'float32'>;
  /** The same for the empty prompt, [1, 77, D] / [1, 1, E] (repeated over the batch) or already [B, …]. */
  uncondCondition: Tensor<'float32'>;
  uncondPooled: Tensor<'float32'>;
  rng: Rng;
  numIter?: number;
  cfg?: number;
  cfgSchedule?: 'linear' | 'constant';
  temperature?: number;
  aestheticScore?: number;
  /**
   * Token editing: latents [B, C, 1, L] in the layout `sample` returns (divided by the scale factor) and
   * which positions to keep ([B·L], truthy = keep; every row keeps the same number). Kept latents condition
   * the decoder and come back unchanged, bit for bit; only the others are generated, in a random order
   * over them with the cosine schedule over their count. Keeping nothing is plain sampling.
   */
  initial?: { latents: Tensor<'float32'>; keep: ArrayLike<number | boolean> };
  signal?: AbortSignal;
  /** `{ phase: 'sample', step, total }` after each outer step (the same moment as `onStep`). */
  onProgress?: ProgressCallback;
  /** Called after every outer step with the current latents [B, C, 1, L] (unscaled like the result; zeros where still masked). */
  onStep?: (step: number, total: number, latents: Tensor<'float32'>) => void;
}

/** Validated settings with the config's defaults filled in and the empty-prompt rows repeated to B. */
export interface MarSettings {
  B: number;
  numIter: number;
  cfg: number;
  cfgSchedule: 'linear' | 'constant';
  temperature: number;
  aestheticScore: number;
  uncondCondition: Tensor<'float32'>;
  uncondPooled: Tensor<'float32'>;
  /** [B·L], 1 where a given latent is kept (all zeros without `initial`). */
  keep: Uint8Array;
}

function resolveKeep(spec: Pick<MaskGenKlSpec, 'seqLen' | 'tokenSize'>, B: number, initial: MarOptions['initial']): Uint8Array {
  const L = spec.seqLen;
  const keep = new Uint8Array(B * L);
  if (!initial) return keep;
  const want = [B, spec.tokenSize, 1, L];
  if (initial.latents.dtype !== 'float32' || initial.latents.dims.join() !== want.join()) {
    throw new MaskgenError('INVALID_ARGUMENT', `initial.latents: expected float32 ${quote(want)}, got ${initial.latents.dtype} ${quote(initial.latents.dims)}`);
  }
  if (initial.keep.length !== B * L)
    throw new MaskgenError('INVALID_ARGUMENT', `initial.keep: expected ${B * L} flags (${B} rows × ${L} tokens), got ${initial.keep.length}`);
  for (let i = 0; i < B * L; i++) keep[i] = initial.keep[i] ? 1 : 0;
  const count = (b: number) => keep.subarray(b * L, (b + 1) * L).reduce((a, v) => a + v, 0);
  for (let b = 1; b < B; b++) {
    if (count(b) !== count(0))
      throw new MaskgenError(
        'INVALID_ARGUMENT',
        `initial.keep: every row must keep the same number of tokens, row 0 keeps ${count(0)} and row ${b} keeps ${count(b)}`,
      );
  }
  return keep;
}

/** Checks a sampling request against the model before any work starts, naming the bad option. */
export function resolveMarOptions(spec: Pick<MaskGenKlSpec, 'textEmbedDim' | 'defaults' | 'seqLen' | 'tokenSize'>, o: MarOptions): MarSettings {
  const D = spec.textEmbedDim;
  const B = o.condition.dims[0];
  if (o.condition.dims.length !== 3 || o.condition.dims[2] !== D || !(B >= 1)) {
    throw new MaskgenError('INVALID_ARGUMENT', `condition: expected float32 [B, 77, ${D}] (CLIP penultimate states), got ${quote(o.condition.dims)}`);
  }
  if (o.pooled.dims.join() !== [B, 1, D].join()) throw new MaskgenError('INVALID_ARGUMENT', `pooled: expected [${B}, 1, ${D}], got ${quote(o.pooled.dims)}`);
  const d = spec.defaults;
  const numIter = o.numIter ?? d.numIter;
  if (!Number.isInteger(numIter) || numIter < 1)
    throw new MaskgenError('INVALID_ARGUMENT', `numIter: expected a positive integer, got ${typeof numIter === 'number' ? String(numIter) : quote(numIter)}`);
  const cfgSchedule = o.cfgSchedule ?? d.cfgSchedule;
  if (cfgSchedule !== 'linear' && cfgSchedule !== 'constant')
    throw new MaskgenError('INVALID_ARGUMENT', `cfgSchedule: expected "linear" or "constant", got ${quote(cfgSchedule)}`);
  const s = { cfg: o.cfg ?? d.cfg, temperature: o.temperature ?? d.temperature, aestheticScore: o.aestheticScore ?? d.aestheticScore };
  for (const [k, v] of Object.entries(s)) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new MaskgenError('INVALID_ARGUMENT', `${k}: expected a finite number, got ${typeof v === 'number' ? String(v) : quote(v)}`);
  }
  if (s.temperature < 0) throw new MaskgenError('INVALID_ARGUMENT', `temperature: expected a number ≥ 0, got ${quote(s.temperature)}`);
  return {
    keep: resolveKeep(spec, B, o.initial),
    B,
    numIter,
    cfgSchedule,
    ...s,
    uncondCondition: uncondRows(o.uncondCondition, o.condition, 'uncondCondition'),
    uncondPooled: uncondRows(o.uncondPooled, o.pooled, 'uncondPooled'),
  };
}
