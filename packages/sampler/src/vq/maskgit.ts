import { MaskgenError, type ProgressCallback, type Rng, type Tensor, quote, tensor, throwIfAborted } from '@maskgen/core';
import { addGumbel } from '../gumbel.js';
import { type GuidanceDecay, guidanceAt, maskingRatio } from '../mask-schedule.js';
import { concatBatch, uncondRows } from '../batch-rows.js';

/**
 * What MaskGIT needs of a generator: its token grid and one forward pass. `MaskGenVQ` is one; a
 * scripted stand-in lets schedule, CFG and ordering tests run without a runtime or a checkpoint.
 */
export interface MaskGitModel {
  readonly spec: {
    numTokens: number;
    /** Codebook size V; the id V is the mask token. */
    codebookSize: number;
    /** The aesthetic score used when none is passed (the reference uses its config's). */
    configAestheticScore: number;
    maskSchedule: string;
  };
  /** Logits [B, N, V] for ids [B, N] under conditions [B, L, D], pooled [B, 1, E] and one aesthetic score per row. */
  forward(ids: Tensor, condition: Tensor, pooled: Tensor, aestheticScores: ArrayLike<number>, opts?: { signal?: AbortSignal }): Promise<Tensor<'float32'>>;
}

/** Settings of one MaskGIT run (defaults: the reference's `generate` signature). */
export interface MaskGitOptions {
  /** CLIP penultimate states [B, 77, D] and pooled embeddings [B, 1, E] of the prompts. */
  condition: Tensor<'float32'>;
  pooled: Tensor<'float32'>;
  /** The same for the empty prompt, [1, 77, D] / [1, 1, E] (repeated over the batch) or already [B, …]. */
  uncondCondition: Tensor<'float32'>;
  uncondPooled: Tensor<'float32'>;
  rng: Rng;
  steps?: number;
  guidanceScale?: number;
  guidanceDecay?: GuidanceDecay;
  guidanceDecayScalePow?: number;
  randomizeTemperature?: number;
  softmaxTemperatureAnnealing?: boolean;
  probSorting?: boolean;
  aestheticScore?: number;
  maskSchedule?: string;
  /**
   * Token editing: ids [B, N] to start from; positions holding a codebook id are kept fixed and only
   * those holding the mask id (= codebook size) are generated. Default: everything masked.
   */
  initialIds?: Tensor;
  signal?: AbortSignal;
  /** `{ phase: 'sample', step, total }` after each step (the same moment as `onStep`). */
  onProgress?: ProgressCallback;
  /**
   * Called after each step with the current ids (masked positions hold the mask id) and this step's
   * full prediction (every position filled), which is what live previews decode.
   */
  onStep?: (step: number, total: number, ids: Tensor<'int64'>, predicted: Tensor<'int64'>) => void;
}

/** The MaskGIT loop of MaskGen_VQ.generate with float32 arithmetic where the reference has it. */
export async function maskGitGenerate(model: MaskGitModel, o: MaskGitOptions): Promise<Tensor<'int64'>> {
  const f = Math.fround;
  const { numTokens: N, codebookSize: V } = model.spec;
  const B = o.condition.dims[0];
  const steps = o.steps ?? 16;
  if (!Number.isInteger(steps) || steps < 1) throw new MaskgenError('INVALID_ARGUMENT', `steps: expected a positive integer, got ${quote(steps)}`);
  const gs = o.guidanceScale ?? 12;
  const decay = o.guidanceDecay ?? 'cosine';
  const randTemp = o.randomizeTemperature ?? 1.5;
  const aes = o.aestheticScore ?? model.spec.configAestheticScore;
  const schedule = o.maskSchedule ?? model.spec.maskSchedule;
  for (const [k, v] of Object.entries({
    guidanceScale: gs,
    randomizeTemperature: randTemp,
    aestheticScore: aes,
    guidanceDecayScalePow: o.guidanceDecayScalePow ?? 1,
  })) {
    if (!Number.isFinite(v)) throw new MaskgenError('INVALID_ARGUMENT', `${k}: expected a finite number, got ${typeof v === 'number' ? String(v) : quote(v)}`);
  }
  guidanceAt(decay, gs, 1, 1); // reject an unknown decay / schedule before the first forward
  maskingRatio(1, schedule);
  if (o.pooled.dims[0] !== B) throw new MaskgenError('INVALID_ARGUMENT', `pooled: expected ${B} rows like condition, got ${quote(o.pooled.dims)}`);
  const cond2 = concatBatch([o.condition, uncondRows(o.uncondCondition, o.condition, 'uncondCondition')]);
  const pooled2 = concatBatch([o.pooled, uncondRows(o.uncondPooled, o.pooled, 'uncondPooled')]);
  const maskId = BigInt(V);
  let ids = new BigInt64Array(B * N).fill(maskId);
  if (o.initialIds) {
    if (o.initialIds.dims.join() !== [B, N].join())
      throw new MaskgenError('INVALID_ARGUMENT', `initialIds: expected [${B}, ${N}], got ${quote(o.initialIds.dims)}`);
    ids = BigInt64Array.from(o.initialIds.data as ArrayLike<number | bigint>, (v) => BigInt(v));
    if (ids.some((v) => v < 0n || v > maskId)) throw new MaskgenError('INVALID_ARGUMENT', `initialIds: ids must lie in [0, ${V}] (${V} = regenerate)`);
  }
  for (let step = 0; step < steps; step++) {
    throwIfAborted(o.signal, 'MaskGen-VQ sampling');
    const ratio = (step + 1) / steps;
    const annealed = randTemp * (1 - ratio);
    const isMask = Array.from(ids, (v) => v === maskId);
    const cfg = guidanceAt(decay, gs, ratio, o.guidanceDecayScalePow ?? 1);
    let logits: Float32Array;
    if (cfg !== 0) {
      const both = await model.forward(tensor('int64', [2 * B, N], concatIds(ids, ids)), cond2, pooled2, new Array(2 * B).fill(aes), { signal: o.signal });
      const l = both.data;
      const half = B * N * V;
      const c32 = f(cfg);
      logits = new Float32Array(half);
      for (let i = 0; i < half; i++) logits[i] = f(l[i] + f(f(l[i] - l[half + i]) * c32));
    } else {
      logits = (await model.forward(tensor('int64', [B, N], ids), o.condition, o.pooled, new Array(B).fill(aes), { signal: o.signal })).data;
    }
    const temp = f((o.softmaxTemperatureAnnealing ?? true) ? 0.5 + 0.8 * (1 - ratio) : annealed);
    for (let i = 0; i < logits.length; i++) logits[i] = f(logits[i] / temp);
    const u = o.rng.uniform([B, N, V], 0, 1);
    const sampled = new BigInt64Array(B * N);
    const conf = new Float32Array(B * N);
    for (let t = 0; t < B * N; t++) {
      // Kept tokens ignore their sample (their draws were still consumed above, keeping replay order).
      if (!isMask[t]) {
        sampled[t] = ids[t];
        conf[t] = Infinity;
        continue;
      }
      let best = -Infinity;
      let arg = 0;
      for (let v = 0; v < V; v++) {
        const x = addGumbel(logits[t * V + v], u[t * V + v], annealed);
        if (x > best || (Number.isNaN(x) && !Number.isNaN(best))) {
          best = x;
          arg = v;
        }
      }
      sampled[t] = BigInt(arg);
      conf[t] = logits[t * V + arg];
    }
    const masked0 = isMask.slice(0, N).filter(Boolean).length;
    const maskLen = Math.max(1, Math.min(masked0 - 1, Math.floor(f(N * maskingRatio(ratio, schedule)))));
    if (o.probSorting ?? true) {
      const u2 = o.rng.uniform([B, N], 0, 1);
      for (let t = 0; t < B * N; t++) conf[t] = addGumbel(conf[t], u2[t], annealed);
    }
    if (step === steps - 1) {
      ids = sampled;
    } else {
      const next = new BigInt64Array(B * N);
      for (let b = 0; b < B; b++) {
        const row = conf.subarray(b * N, (b + 1) * N);
        const cutoff = Float32Array.from(row).sort()[maskLen - 1];
        for (let j = 0; j < N; j++) next[b * N + j] = row[j] <= cutoff ? maskId : sampled[b * N + j];
      }
      ids = next;
    }
    o.onStep?.(step + 1, steps, tensor('int64', [B, N], ids.slice()), tensor('int64', [B, N], sampled));
    o.onProgress?.({ phase: 'sample', step: step + 1, total: steps });
  }
  return tensor('int64', [B, N], ids);
}

function concatIds(a: BigInt64Array, b: BigInt64Array): BigInt64Array {
  const out = new BigInt64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
