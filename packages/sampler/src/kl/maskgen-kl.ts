import {
  graphOptionsFor,
  type Rng,
  type Runtime,
  type WeightPrecision,
  type SafetensorsFile,
  type Session,
  type Tensor,
  tensor,
  throwIfAborted,
} from '@maskgen/core';
import { respacedSchedule, type DiffusionSchedule } from './gaussian-diffusion.js';
import { type MaskGenKlSpec, klMicroCondition, resolveMaskGenKl } from './kl-config.js';
import { SPLIT_IO, buildDiffLossModulationGraph, buildDiffLossStepGraph } from './diffloss-split-graphs.js';
import { KL_IO, buildDiffLossGraph, buildKlConditionGraph, buildKlMaeGraph } from './kl-graphs.js';
import { type MarModel, type MarOptions, marSample } from './mar-sampler.js';

/** Options of MaskGenKL.create. */
export interface MaskGenKlCreateOptions {
  runtime: Runtime;
  weights: SafetensorsFile;
  config: unknown;
  signal?: AbortSignal;
  /** 'int8' runs the large linear layers on block-quantised weights: ¼ the weight memory, faster where memory-bound, slightly less exact (docs/performance.md). */
  precision?: WeightPrecision;
}

/**
 * The MaskGen-KL generator: condition embedding, MAE decoder (shared MM-DiT blocks) and the DiffLoss
 * MLP split in two sessions (adaLN modulations batched over all reverse steps, then the x-dependent
 * layers per step), with the MAR sampler and the respaced cosine diffusion in JS around them.
 */
export class MaskGenKL implements MarModel {
  readonly schedule: DiffusionSchedule;
  private mlpSession?: Promise<Session>;

  private constructor(
    readonly spec: MaskGenKlSpec,
    private readonly cond: Session,
    private readonly mae: Session,
    private readonly modulation: Session,
    private readonly step: Session,
    private readonly build: () => Promise<Session>,
  ) {
    this.schedule = respacedSchedule(spec.samplingSteps);
  }

  static async create(o: MaskGenKlCreateOptions): Promise<MaskGenKL> {
    const spec = resolveMaskGenKl(o.config, o.weights);
    throwIfAborted(o.signal, 'building MaskGen-KL');
    const make = (m: ReturnType<typeof buildKlMaeGraph>) => o.runtime.createSession(m, { signal: o.signal });
    const gopts = await graphOptionsFor(o.runtime, o.precision);
    const graphs = [buildKlConditionGraph, buildKlMaeGraph, buildDiffLossModulationGraph, buildDiffLossStepGraph].map((b) => b(o.weights, spec, gopts));
    const sessions = await Promise.allSettled(graphs.map(make));
    const failed = sessions.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(sessions.map((s) => (s.status === 'fulfilled' ? s.value.dispose() : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    }
    const [c, m, mod, step] = sessions.map((s) => (s as PromiseFulfilledResult<Session>).value);
    return new MaskGenKL(spec, c, m, mod, step, () => o.runtime.createSession(buildDiffLossGraph(o.weights, spec, gopts)));
  }

  /** The whole MLP in one graph (x, t, c → out), built on first use: sampling runs it split in two. */
  private mlp(): Promise<Session> {
    this.mlpSession ??= this.build();
    return this.mlpSession;
  }

  /** adaLN modulations of the DiffLoss MLP for condition rows z [R, D] at original timesteps t [K] → [K·R·M]. */
  async diffusionModulations(z: Tensor, t: Tensor, opts: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const out = await this.modulation.run({ [SPLIT_IO.c]: z, [SPLIT_IO.t]: t }, opts);
    return out[SPLIT_IO.mods].data as Float32Array;
  }

  /** The DiffLoss MLP's x-dependent part: x [R, C] under modulations [R, M] → [eps | var] [R, 2C]. */
  async diffusionStep(x: Tensor, mods: Tensor, opts: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const out = await this.step.run({ [SPLIT_IO.x]: x, [SPLIT_IO.mods]: mods }, opts);
    return out[SPLIT_IO.out].data as Float32Array;
  }

  /** The micro-condition features of aesthetic scores (interleaved sin/cos). */
  microCondition(scores: ArrayLike<number>): Float32Array {
    return klMicroCondition(scores, this.spec.microDim);
  }

  /** text_emb(condition), text_pooled_emb([pooled | micro]) for condition [B,L,Dt], pooled [B,1,Dt], scores [B]. */
  async embedCondition(condition: Tensor, pooled: Tensor, scores: ArrayLike<number>, opts: { signal?: AbortSignal } = {}) {
    const B = pooled.dims[0];
    const Dt = this.spec.textEmbedDim;
    const m = this.spec.microDim;
    const cat = new Float32Array(B * (Dt + m));
    const micro = this.microCondition(scores);
    for (let b = 0; b < B; b++) {
      cat.set((pooled.data as Float32Array).subarray(b * Dt, (b + 1) * Dt), b * (Dt + m));
      cat.set(micro.subarray(b * m, (b + 1) * m), b * (Dt + m) + Dt);
    }
    const out = await this.cond.run({ [KL_IO.condition]: condition, [KL_IO.pooled]: tensor('float32', [B, Dt + m], cat) }, opts);
    const p = out[KL_IO.pooledEmbedded] as Tensor<'float32'>;
    return { condition: out[KL_IO.conditionEmbedded] as Tensor<'float32'>, pooled: tensor('float32', [B, 1, this.spec.dim], p.data) };
  }

  /** forward_mae_decoder on embedded conditions: tokens [B,L,C], mask [B,L] (1 = masked) → z [B,L,D]. */
  async forwardMae(tokens: Tensor, mask: Tensor, condition: Tensor, pooled: Tensor, opts: { signal?: AbortSignal } = {}): Promise<Tensor<'float32'>> {
    const B = tokens.dims[0];
    const p = pooled.dims.length === 3 ? tensor('float32', [B, this.spec.dim], pooled.data as Float32Array) : pooled;
    const out = await this.mae.run({ [KL_IO.tokens]: tokens, [KL_IO.mask]: mask, [KL_IO.conditionEmbedded]: condition, [KL_IO.pooledEmbedded]: p }, opts);
    return out[KL_IO.z] as Tensor<'float32'>;
  }

  /** The DiffLoss MLP: x [N,C], original timesteps t [N], condition c [N,D] → [eps | var] [N,2C]. */
  async mlpForward(x: Tensor, t: Tensor, c: Tensor, opts: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const out = await (await this.mlp()).run({ [KL_IO.x]: x, [KL_IO.t]: t, [KL_IO.c]: c }, opts);
    return out[KL_IO.out].data as Float32Array;
  }

  /** forward_with_cfg: only x[:N/2] is used (duplicated); eps = uncond + s·(cond − uncond), duplicated; var values kept per row. */
  async mlpForwardCfg(x: Tensor, t: Tensor, c: Tensor, scale: number, opts: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const f = Math.fround;
    const [N, C] = x.dims;
    const half = (x.data as Float32Array).subarray(0, (N / 2) * C);
    const combined = new Float32Array(N * C);
    combined.set(half);
    combined.set(half, half.length);
    const out = await this.mlpForward(tensor('float32', [N, C], combined), t, c, opts);
    const s = f(scale);
    const res = out.slice();
    for (let r = 0; r < N / 2; r++)
      for (let k = 0; k < C; k++) {
        const cond = out[r * 2 * C + k];
        const unc = out[(r + N / 2) * 2 * C + k];
        const e = f(unc + f(s * f(cond - unc)));
        res[r * 2 * C + k] = e;
        res[(r + N / 2) * 2 * C + k] = e;
      }
    return res;
  }

  /** MAR sampling as the reference's sample_tokens → latents [B, C, 1, L], already divided by scale_factor. */
  sample(opts: MarOptions): Promise<Tensor<'float32'>> {
    return marSample(this, opts);
  }

  async dispose(): Promise<void> {
    const mlp = this.mlpSession;
    this.mlpSession = undefined;
    await Promise.all([
      this.cond.dispose(),
      this.mae.dispose(),
      this.modulation.dispose(),
      this.step.dispose(),
      mlp?.then(
        (m) => m.dispose(),
        () => undefined,
      ),
    ]);
  }
}

export type { Rng };
