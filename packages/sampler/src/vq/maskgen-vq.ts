import {
  MaskgenError,
  graphOptionsFor,
  type Runtime,
  type WeightPrecision,
  type SafetensorsFile,
  type Session,
  type Tensor,
  quote,
  tensor,
  throwIfAborted,
} from '@maskgen/core';
import { vqMicroCondition } from '../micro-condition.js';
import { type MaskGenVqSpec, resolveMaskGenVq } from './vq-config.js';
import { VQ_IO, buildMaskGenVqGraph } from './vq-graph.js';
import { type MaskGitModel, type MaskGitOptions, maskGitGenerate } from './maskgit.js';

/** Options of MaskGenVQ.create. */
export interface MaskGenVqCreateOptions {
  runtime: Runtime;
  weights: SafetensorsFile;
  config: unknown;
  signal?: AbortSignal;
  /** 'int8' runs the large linear layers on block-quantised weights: ¼ the weight memory, faster where memory-bound, slightly less exact (docs/performance.md). */
  precision?: WeightPrecision;
}

/**
 * The MaskGen-VQ generator: one ONNX session for the MM-DiT forward, and the MaskGIT sampler in
 * JS around it (all noise from the caller's Rng, in the reference's draw order).
 */
export class MaskGenVQ implements MaskGitModel {
  private constructor(
    readonly spec: MaskGenVqSpec,
    private readonly session: Session,
  ) {}

  static async create(opts: MaskGenVqCreateOptions): Promise<MaskGenVQ> {
    const spec = resolveMaskGenVq(opts.config, opts.weights);
    throwIfAborted(opts.signal, 'building MaskGen-VQ');
    return new MaskGenVQ(
      spec,
      await opts.runtime.createSession(buildMaskGenVqGraph(opts.weights, spec, await graphOptionsFor(opts.runtime, opts.precision)), { signal: opts.signal }),
    );
  }

  /** Logits [B, N, codebook] for ids [B, N] under CLIP penultimate states and pooled embeddings. */
  async forward(
    ids: Tensor,
    condition: Tensor,
    pooled: Tensor,
    aestheticScores: ArrayLike<number>,
    opts: { signal?: AbortSignal } = {},
  ): Promise<Tensor<'float32'>> {
    const B = ids.dims[0];
    const { numTokens: N, textEmbedDim: D } = this.spec;
    if (ids.dims.length !== 2 || ids.dims[1] !== N) throw new MaskgenError('INVALID_ARGUMENT', `ids: expected [B, ${N}], got ${quote(ids.dims)}`);
    if (condition.dims.length !== 3 || condition.dims[0] !== B || condition.dims[2] !== D) {
      throw new MaskgenError('INVALID_ARGUMENT', `condition: expected [${B}, L, ${D}], got ${quote(condition.dims)}`);
    }
    if (pooled.dims.join() !== [B, 1, pooled.dims[2]].join())
      throw new MaskgenError('INVALID_ARGUMENT', `pooled: expected [${B}, 1, D], got ${quote(pooled.dims)}`);
    const feeds: Record<string, Tensor> = {
      [VQ_IO.ids]:
        ids.dtype === 'int64'
          ? ids
          : tensor(
              'int64',
              ids.dims,
              BigInt64Array.from(ids.data as ArrayLike<number>, (v) => BigInt(v)),
            ),
      [VQ_IO.condition]: condition,
      [VQ_IO.pooled]: pooled,
    };
    if (this.spec.microCondition) {
      if (aestheticScores.length !== B) throw new MaskgenError('INVALID_ARGUMENT', `aestheticScores: expected ${B} values, got ${aestheticScores.length}`);
      feeds[VQ_IO.micro] = tensor('float32', [B, this.spec.microDim], vqMicroCondition(aestheticScores, this.spec.microDim));
    }
    const out = await this.session.run(feeds, opts);
    return out[VQ_IO.logits] as Tensor<'float32'>;
  }

  /**
   * MaskGIT sampling exactly as the reference's `generate`. The reference ignores the aesthetic score
   * it is passed and uses the config's `sample_aesthetic_score`; here `aestheticScore` is a real knob
   * whose default is that config value, so leaving it unset reproduces the reference.
   */
  generate(opts: MaskGitOptions): Promise<Tensor<'int64'>> {
    return maskGitGenerate(this, opts);
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
