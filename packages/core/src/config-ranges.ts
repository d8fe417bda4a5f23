import { MaskgenError, quote } from './errors.js';

/** The allowed range of one numeric config field. */
export interface ConfigRange {
  min: number;
  max: number;
  integer?: boolean;
  /** `min` itself is not allowed (e.g. scale_factor must be above 0). */
  exclusiveMin?: boolean;
}

/**
 * Every numeric field of the model configs (config.json / YAML) with its documented range
 * (docs/reliability.md). The bounds match the CLI flags' where a flag exists, are far wider than any
 * released checkpoint, and stop values that would run for days, divide by zero or allocate the machine.
 */
export const CONFIG_RANGES: Readonly<Record<string, ConfigRange>> = {
  cfg: { min: 0, max: 100 },
  num_iter: { min: 1, max: 1000, integer: true },
  temperature: { min: 0, max: 100 },
  sample_aesthetic_score: { min: 0, max: 10 },
  scale_factor: { min: 0, max: 1e4, exclusiveMin: true },
  num_sampling_steps: { min: 1, max: 1000, integer: true },
  crop_size: { min: 1, max: 4096, integer: true },
  num_latent_tokens: { min: 1, max: 4096, integer: true },
  token_size: { min: 1, max: 4096, integer: true },
  codebook_size: { min: 1, max: 1 << 20, integer: true },
  vit_enc_patch_size: { min: 1, max: 1024, integer: true },
  vit_dec_patch_size: { min: 1, max: 1024, integer: true },
  vit_enc_num_heads: { min: 1, max: 1024, integer: true },
  vit_dec_num_heads: { min: 1, max: 1024, integer: true },
  text_embed_dim: { min: 1, max: 16384, integer: true },
  text_context_length: { min: 1, max: 4096, integer: true },
  decoder_num_heads: { min: 1, max: 1024, integer: true },
  decoder_depth: { min: 1, max: 1024, integer: true },
  micro_condition_embed_dim: { min: 1, max: 16384, integer: true },
};

/** Describes a range for messages: "an integer in [1, 1000]", "a number in (0, 10000]". */
export function describeRange(r: ConfigRange): string {
  return `${r.integer ? 'an integer' : 'a number'} in ${r.exclusiveMin ? '(' : '['}${r.min}, ${r.max}]`;
}

/**
 * Reads a numeric config field and checks it against CONFIG_RANGES (or `range`): the one check every
 * config reader uses, so no field is unbounded. `fallback` applies when the field is absent.
 */
export function configNumber(
  section: Record<string, unknown>,
  key: string,
  where: string,
  fallback?: number,
  range: ConfigRange | undefined = CONFIG_RANGES[key],
): number {
  const v = section[key] ?? fallback;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!range || ((range.exclusiveMin ? v > range.min : v >= range.min) && v <= range.max && (!range.integer || Number.isInteger(v))));
  if (!ok) {
    const want = range ? describeRange(range) : 'a finite number';
    throw new MaskgenError('INVALID_CONFIG', `config ${where}.${key}: expected ${want}, got ${quote(section[key])}`);
  }
  return v as number;
}
