import type { ModelSource, ProgressCallback, Rng, Runtime, Tensor, WeightPrecision } from '@maskgen/core';
import type { GeneratorDefaults } from './families/index.js';
import type { ModelRef } from './model-file.js';

/** 8-bit RGBA pixels, row-major: what canvases, PNG encoders and the CLI all take. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Where repos come from: any repo id (at an optional revision, for `REPO:FILE@rev`) → a source that can open any file of that repo. */
export type SourceResolver = (repoId: string, opts?: { revision?: string }) => ModelSource;

/** Options shared by the factories. */
export interface LoadOptions {
  runtime: Runtime;
  /**
   * How a repo id becomes files (required): `hubSources()` from `@maskgen/hub/node`, `(id, at) => browserSource(id, at)`
   * from `@maskgen/hub`, or your own (folders, memory).
   */
  source: SourceResolver;
  /**
   * TA-TiTok to decode with: a repo id, a hub file (`owner/name:file.bin`) or `{ file }` (default: the
   * zoo pairing, the single-file generator's `experiment.tokenizer_checkpoint`, or its config's match).
   */
  tokenizer?: ModelRef;
  /** CLIP text tower: a repo id, hub file or `{ file }` (default openai/clip-vit-large-patch14-336). */
  textEncoder?: ModelRef;
  /**
   * Config tree of the model being loaded (what config.json or the reference's YAML parse to), used
   * instead of the one beside its files; needed for single checkpoint files without one.
   */
  config?: unknown;
  /** The same for the tokenizer. */
  tokenizerConfig?: unknown;
  /** Head counts for tokenizers whose config names a size outside the reference's table. */
  tokenizerOptions?: { encoderHeads?: number; decoderHeads?: number };
  /** CLIP feed-forward activation: 'gelu' (what the reference runs today, the default) or 'quick-gelu'. */
  clipActivation?: 'gelu' | 'quick-gelu';
  /**
   * Weights of every model's large linear layers: 'float32' (default, matches the reference) or
   * 'int8' (block-quantised at load: ¼ the weight memory, faster on CPU, outputs ≈ 1% off; see
   * docs/performance.md for what that does to images).
   */
  precision?: WeightPrecision;
  /**
   * NaN/±Inf in latents or decoded images are an error (NON_FINITE) unless this is true; then they
   * are written (NaN as black) and `onWarning` is told. Default false.
   */
  allowNonFinite?: boolean;
  /** Receives warnings (e.g. non-finite values let through by allowNonFinite). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** A step of sampling, for live previews: the current tokens and, when requested, their decoded images. */
export interface PreviewEvent {
  step: number;
  total: number;
  tokens: Tensor;
  images?: RgbaImage[];
}

/** Per-call generation settings; unset values use the model's defaults. */
export interface GenerateOptions {
  seed?: number;
  /** Replaces the seeded generator (e.g. a replay of recorded draws). */
  rng?: Rng;
  steps?: number;
  guidance?: number;
  /** VQ: the Gumbel randomize temperature; KL: the diffusion noise temperature. */
  temperature?: number;
  aestheticScore?: number;
  /** Images per prompt. */
  numImages?: number;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** Called after every step; set `previewImages` to also decode the current tokens. */
  onPreview?: (e: PreviewEvent) => void;
  previewImages?: boolean;
}

/** Generated images with their tokens and the exact settings used (for reproducibility). */
export interface GenerateResult {
  images: RgbaImage[];
  tokens: Tensor;
  seed: number;
  settings: Record<string, number | string>;
}

/** A loaded text-to-image model: generator + tokenizer + text tower, sessions reused across calls. */
export interface TextToImage {
  readonly modelId: string;
  /** The generator family's registry name (`vq`, `kl`, …). */
  readonly family: string;
  readonly defaults: GeneratorDefaults;
  generate(prompts: string | readonly string[], opts?: GenerateOptions): Promise<GenerateResult>;
  /**
   * Token-space editing: encodes `image` with the paired tokenizer, keeps the tokens at `keep` (indices
   * into the 1D token sequence) and regenerates the others under `prompt`. VQ keeps the ids (MaskGIT
   * fills the rest); KL keeps the posterior means bit for bit (MAR order and the diffusion head fill the
   * rest). Keeping nothing gives what `generate(prompt)` gives for the same seed.
   */
  edit(
    image: { width: number; height: number; channels: 3 | 4; data: Uint8Array },
    prompt: string,
    opts: GenerateOptions & { keep: readonly number[] },
  ): Promise<GenerateResult>;
  /** Decodes existing tokens under another prompt's text guidance (TA-TiTok is text-aware). */
  decode(tokens: Tensor, prompts: string | readonly string[], opts?: { signal?: AbortSignal }): Promise<RgbaImage[]>;
  dispose(): Promise<void>;
}
