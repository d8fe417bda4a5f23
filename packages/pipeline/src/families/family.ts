import type { ClipTextEncoding } from '@maskgen/clip-text';
import type { GraphOptions, OnnxModel, Rng, Runtime, SafetensorsFile, Tensor, WeightPrecision } from '@maskgen/core';
import type { TatitokEncoding } from '@maskgen/tatitok';

/** Sampling defaults every generator family has; each family adds its own settings. */
export interface GeneratorDefaults {
  /** The registry name of the family (`vq`, `kl`, …). */
  family: string;
  guidanceScale: number;
  steps: number;
  aestheticScore: number;
}

/** One sampling run as the pipeline asks for it: encoded prompts, resolved settings, randomness. */
export interface SampleRequest<Start = unknown> {
  /** CLIP encodings of the prompts (one row per image) and of "". */
  enc: ClipTextEncoding;
  empty: ClipTextEncoding;
  steps: number;
  guidance: number;
  temperature: number;
  /** Unset: the family's own default (MaskGen-VQ uses its config's, like the reference). */
  aestheticScore?: number;
  rng: Rng;
  /** Token editing: what `editStart` made of an image (kept tokens fixed, the rest generated). */
  start?: Start;
  signal?: AbortSignal;
  /** After every step: the current tokens, and the full prediction live previews decode. */
  onStep(step: number, total: number, tokens: Tensor, predicted: Tensor): void;
}

/** A generator loaded on a runtime, as the text-to-image pipeline drives it. */
export interface FamilyGenerator<Start = unknown> {
  /** Tokens per image (what `keep` indexes). */
  readonly numTokens: number;
  /** Defaults for unset `steps`, `guidance`, `temperature` and `aestheticScore`. */
  readonly prelude: { steps: number; guidance: number; temperature: number; aestheticScore?: number };
  /** Samples tokens for the TA-TiTok decoder, with the settings actually used (for the result and PNG metadata). */
  sample(r: SampleRequest<Start>): Promise<{ tokens: Tensor; settings: Record<string, number | string> }>;
  /** Token editing: the start state that keeps `keep` of an encoded image; absent when the family cannot edit. */
  editStart?(encoded: TatitokEncoding, keep: ReadonlySet<number>): Start;
  dispose(): Promise<void>;
}

/** What `create` gets: the checkpoint and where to run it. */
export interface GeneratorCreateOptions {
  runtime: Runtime;
  weights: SafetensorsFile;
  config: unknown;
  signal?: AbortSignal;
  precision?: WeightPrecision;
}

/**
 * A generator family as a plug-in: everything the pipeline, the zoo, `maskgen export` and the CLI need
 * to know about it. A new family is one folder with such an object and one entry in `GENERATOR_FAMILIES`.
 */
export interface GeneratorFamily<D extends GeneratorDefaults = GeneratorDefaults> {
  /** Registry name, also `defaults.family` and `TextToImage.family`. */
  readonly name: string;
  /** For messages: "MaskGen-VQ". */
  readonly title: string;
  /** The TA-TiTok `quantize_mode` whose tokens it makes: picks the paired tokenizer. */
  readonly tokenizerMode: 'vq' | 'vae';
  /** Sampling defaults of the released checkpoints (the reference's inference settings). */
  readonly defaults: D;
  /** Whether `edit` can keep some of an image's tokens and regenerate the rest. */
  readonly edits: boolean;
  /**
   * Recognises this family's generator from its config tree (config.json, or any loader's tree with the
   * same `model`/`losses` sections): its defaults refined by the config, or undefined when the config is
   * not this family's. A field of the right section with a bad value is an INVALID_CONFIG naming it.
   */
  recognise(config: Record<string, unknown>, where: string): D | undefined;
  /** Builds the generator's sessions on the runtime. */
  create(o: GeneratorCreateOptions, defaults: D): Promise<FamilyGenerator>;
  /** The ONNX graphs the generator runs, for hosting them elsewhere (`maskgen export`). */
  graphs(weights: SafetensorsFile, config: unknown, opts?: GraphOptions): OnnxModel[];
}
