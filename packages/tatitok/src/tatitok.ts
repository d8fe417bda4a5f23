import {
  MaskgenError,
  graphOptionsFor,
  type Rng,
  type Runtime,
  type SafetensorsFile,
  type Session,
  type Tensor,
  quote,
  tensor,
  throwIfAborted,
  type WeightPrecision,
} from '@maskgen/core';
import { DECODER_IO, buildDecoderGraph } from './decoder-graph.js';
import { ENCODER_IO, buildEncoderGraph } from './encoder-graph.js';
import { type TatitokOptions, type TatitokSpec, resolveTatitok } from './tatitok-config.js';

/** What `Tatitok.encode` returns: VQ ids and vectors, or the KL posterior (sample it with an Rng). */
export type TatitokEncoding =
  | { mode: 'vq'; encoderOut: Tensor<'float32'>; indices: Tensor<'int64'>; quantized: Tensor<'float32'> }
  | { mode: 'vae'; encoderOut: Tensor<'float32'>; mean: Tensor<'float32'>; logvar: Tensor<'float32'>; std: Tensor<'float32'> };

/** Options of Tatitok.create. */
export interface TatitokCreateOptions extends TatitokOptions {
  runtime: Runtime;
  weights: SafetensorsFile;
  config: unknown;
  /** 'int8' runs the large linear layers on block-quantised weights: ¼ the weight memory, faster where memory-bound, slightly less exact (docs/performance.md). */
  precision?: WeightPrecision;
}

/**
 * A TA-TiTok tokenizer: image ⇄ 1D tokens, decoding guided by CLIP text states. Encoder and decoder
 * sessions are built on first use, so decode-only callers (text-to-image) never pay for the encoder.
 */
export class Tatitok {
  private encoder?: Promise<Session>;
  private decoder?: Promise<Session>;

  private constructor(
    readonly spec: TatitokSpec,
    private readonly runtime: Runtime,
    private readonly weights: SafetensorsFile,
    private readonly precision: WeightPrecision,
  ) {}

  static async create(opts: TatitokCreateOptions): Promise<Tatitok> {
    return new Tatitok(resolveTatitok(opts.config, opts.weights, opts), opts.runtime, opts.weights, opts.precision ?? 'float32');
  }

  private session(kind: 'encoder' | 'decoder', signal?: AbortSignal): Promise<Session> {
    const cached = this[kind];
    if (cached) return cached;
    const build = kind === 'encoder' ? buildEncoderGraph : buildDecoderGraph;
    const made = graphOptionsFor(this.runtime, this.precision).then((g) => this.runtime.createSession(build(this.weights, this.spec, g), { signal }));
    this[kind] = made;
    // A failed or cancelled build is not remembered: the next call tries again.
    made.catch(() => {
      if (this[kind] === made) this[kind] = undefined;
    });
    return made;
  }

  /**
   * Builds the decoder (and the encoder, when asked) now rather than on first use, for apps that
   * want all loading up front instead of a slow first image.
   */
  async prepare(opts: { encoder?: boolean; decoder?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const kinds = [...((opts.decoder ?? true) ? ['decoder' as const] : []), ...(opts.encoder ? ['encoder' as const] : [])];
    await Promise.all(kinds.map((k) => this.session(k, opts.signal)));
  }

  /** Images [B,3,H,W] float32 in [0,1] at the model's size → tokens (see `imageToTensor` for bytes). */
  async encode(images: Tensor, opts: { signal?: AbortSignal } = {}): Promise<TatitokEncoding> {
    const s = this.spec.imageSize;
    if (images.dtype !== 'float32' || images.dims.length !== 4 || images.dims[1] !== 3 || images.dims[2] !== s || images.dims[3] !== s) {
      throw new MaskgenError('INVALID_IMAGE', `images: expected float32 [B, 3, ${s}, ${s}], got ${images.dtype} ${quote(images.dims)}`);
    }
    throwIfAborted(opts.signal, 'TA-TiTok encode');
    const out = await (await this.session('encoder', opts.signal)).run({ [ENCODER_IO.pixels]: images }, opts);
    const f = (k: string) => out[k] as Tensor<'float32'>;
    if (this.spec.mode === 'vq') {
      return { mode: 'vq', encoderOut: f(ENCODER_IO.encoderOut), indices: out[ENCODER_IO.indices] as Tensor<'int64'>, quantized: f(ENCODER_IO.quantized) };
    }
    return { mode: 'vae', encoderOut: f(ENCODER_IO.encoderOut), mean: f(ENCODER_IO.mean), logvar: f(ENCODER_IO.logvar), std: f(ENCODER_IO.std) };
  }

  /** mean + std·ε with ε from `rng` (torch.randn of the mean's shape), as DiagonalGaussianDistribution.sample. */
  samplePosterior(enc: Extract<TatitokEncoding, { mode: 'vae' }>, rng: Rng): Tensor<'float32'> {
    const noise = rng.normal(enc.mean.dims);
    const out = new Float32Array(noise.length);
    for (let i = 0; i < out.length; i++) out[i] = enc.mean.data[i] + enc.std.data[i] * noise[i];
    return tensor('float32', enc.mean.dims, out);
  }

  /**
   * Tokens → image [B,3,H,W] (unclamped). VQ tokens: int ids [B,N] or [B,1,N]; KL tokens: float
   * latents [B,C,1,N]. `textGuidance` is CLIP's ln_final output [B, 77, D].
   */
  async decode(tokens: Tensor, textGuidance: Tensor, opts: { signal?: AbortSignal } = {}): Promise<Tensor<'float32'>> {
    const { numTokens: N, tokenSize: C, textContextLength: L, textEmbedDim: D } = this.spec;
    let feed: Tensor;
    const B = tokens.dims[0];
    if (this.spec.mode === 'vq') {
      const ok = (tokens.dims.length === 2 && tokens.dims[1] === N) || (tokens.dims.length === 3 && tokens.dims[1] === 1 && tokens.dims[2] === N);
      if (!ok || (tokens.dtype !== 'int64' && tokens.dtype !== 'int32')) {
        throw new MaskgenError('INVALID_ARGUMENT', `tokens: expected integer ids [B, ${N}] or [B, 1, ${N}], got ${tokens.dtype} ${quote(tokens.dims)}`);
      }
      const ids = BigInt64Array.from(tokens.data as ArrayLike<number | bigint>, (v) => BigInt(v));
      for (const id of ids) {
        if (id < 0n || id >= BigInt(this.spec.codebookSize)) {
          throw new MaskgenError('INVALID_ARGUMENT', `tokens: id ${id} is outside the codebook [0, ${this.spec.codebookSize})`);
        }
      }
      feed = tensor('int64', [B, N], ids);
    } else {
      if (tokens.dtype !== 'float32' || tokens.dims.join() !== [B, C, 1, N].join()) {
        throw new MaskgenError('INVALID_ARGUMENT', `tokens: expected float32 latents [B, ${C}, 1, ${N}], got ${tokens.dtype} ${quote(tokens.dims)}`);
      }
      feed = tokens;
    }
    if (textGuidance.dtype !== 'float32' || textGuidance.dims.join() !== [B, L, D].join()) {
      throw new MaskgenError('INVALID_ARGUMENT', `textGuidance: expected float32 [${B}, ${L}, ${D}], got ${textGuidance.dtype} ${quote(textGuidance.dims)}`);
    }
    throwIfAborted(opts.signal, 'TA-TiTok decode');
    const out = await (await this.session('decoder', opts.signal)).run({ [DECODER_IO.tokens]: feed, [DECODER_IO.textGuidance]: textGuidance }, opts);
    return out[DECODER_IO.image] as Tensor<'float32'>;
  }

  /**
   * encode → decode, the reference's `forward(x, text_guidance)`: how much of an image survives the
   * 1D tokens. KL posteriors are sampled with `rng` as the reference does; without one the mean
   * (the posterior's mode) is decoded, which is deterministic.
   */
  async reconstruct(images: Tensor, textGuidance: Tensor, opts: { rng?: Rng; signal?: AbortSignal } = {}): Promise<Tensor<'float32'>> {
    const enc = await this.encode(images, opts);
    const tokens = enc.mode === 'vq' ? enc.indices : opts.rng ? this.samplePosterior(enc, opts.rng) : enc.mean;
    return this.decode(tokens, textGuidance, opts);
  }

  /** Releases both sessions. */
  async dispose(): Promise<void> {
    const sessions = [this.encoder, this.decoder].filter(Boolean) as Promise<Session>[];
    this.encoder = this.decoder = undefined;
    await Promise.all(sessions.map(async (s) => (await s.catch(() => undefined))?.dispose()));
  }
}
