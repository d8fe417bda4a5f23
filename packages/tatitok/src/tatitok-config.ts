import { CONFIG_RANGES, MaskgenError, type SafetensorsFile, configNumber, quote } from '@maskgen/core';

/** Widths, depths and heads of the reference's named ViT sizes (modeling/modules/blocks.py). */
export const VIT_SIZES: Readonly<Record<string, { width: number; layers: number; heads: number }>> = {
  small: { width: 512, layers: 8, heads: 8 },
  base: { width: 768, layers: 12, heads: 12 },
  large: { width: 1024, layers: 24, heads: 16 },
};

/** One ViT stack (encoder or decoder) as the checkpoint defines it. */
export interface VitSpec {
  width: number;
  layers: number;
  heads: number;
  patch: number;
  grid: number;
}

/** Everything the graphs need, resolved from config.json and the weights' shapes. */
export interface TatitokSpec {
  mode: 'vq' | 'vae';
  imageSize: number;
  numTokens: number;
  /** Channels of one token (VQ code dim, or KL latent channels). */
  tokenSize: number;
  codebookSize: number;
  useL2Norm: boolean;
  isLegacy: boolean;
  textEmbedDim: number;
  textContextLength: number;
  encoder: VitSpec;
  decoder: VitSpec;
}

/** Explicit overrides for facts a config cannot carry (heads of model sizes outside the reference table). */
export interface TatitokOptions {
  encoderHeads?: number;
  decoderHeads?: number;
}

type Json = Record<string, unknown>;

function section(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MaskgenError('INVALID_CONFIG', `config ${where}: expected an object, got ${quote(v)}`);
  return v as Json;
}

function int(s: Json, key: string, where: string, fallback?: number): number {
  return configNumber(s, key, where, fallback, CONFIG_RANGES[key] ?? { min: 1, max: 2 ** 31, integer: true });
}

/**
 * Optional head counts in the config (`vit_enc_num_heads` / `vit_dec_num_heads`): not written by the
 * reference, accepted so checkpoints with custom model sizes can say what the size table cannot.
 */
function optInt(s: Json, key: string, where: string): number | undefined {
  return s[key] === undefined ? undefined : int(s, key, where);
}

function countBlocks(st: SafetensorsFile, prefix: string): number {
  let n = 0;
  while (st.has(`${prefix}.transformer.${n}.ln_1.weight`)) n++;
  return n;
}

function vit(st: SafetensorsFile, prefix: string, sizeName: unknown, patch: number, imageSize: number, heads: number | undefined, where: string): VitSpec {
  const width = st.info(`${prefix}.positional_embedding`).dims[1];
  const layers = countBlocks(st, prefix);
  const named = typeof sizeName === 'string' ? VIT_SIZES[sizeName] : undefined;
  const h = heads ?? named?.heads;
  if (!h) {
    throw new MaskgenError(
      'INVALID_CONFIG',
      `config ${where}: model size ${quote(sizeName)} is not one of ${Object.keys(VIT_SIZES).join(', ')}; pass the attention head count explicitly`,
    );
  }
  if (width % h !== 0) throw new MaskgenError('INVALID_CONFIG', `${prefix}: width ${width} is not divisible by ${h} heads`);
  if (imageSize % patch !== 0) throw new MaskgenError('INVALID_CONFIG', `crop_size ${imageSize} is not a multiple of patch size ${patch}`);
  // crop_size must agree with the weights: the positional embedding holds one row per patch plus the class token.
  const rows = st.info(`${prefix}.positional_embedding`).dims[0];
  const grid = imageSize / patch;
  if (rows !== grid * grid + 1) {
    throw new MaskgenError(
      'SHAPE_MISMATCH',
      `config dataset.preprocessing.crop_size ${imageSize} (patch ${patch}: ${grid}×${grid} patches) disagrees with the weights: ${prefix}.positional_embedding has ${rows} rows, expected ${grid * grid + 1}`,
    );
  }
  return { width, layers, heads: h, patch, grid: imageSize / patch };
}

/**
 * Reads `model.vq_model` and `dataset.preprocessing.crop_size`, taking widths and depths from the
 * weights, so every released size and the goldens' made-up sizes build from the same code.
 */
export function resolveTatitok(config: unknown, st: SafetensorsFile, opts: TatitokOptions = {}): TatitokSpec {
  const root = section(config, '(root)');
  const vq = section(section(root.model, 'model').vq_model, 'model.vq_model');
  const pre = section(section(root.dataset, 'dataset').preprocessing, 'dataset.preprocessing');
  const mode = vq.quantize_mode ?? 'vq';
  if (mode !== 'vq' && mode !== 'vae')
    throw new MaskgenError('INVALID_CONFIG', `config model.vq_model.quantize_mode: expected "vq" or "vae", got ${quote(mode)}`);
  const imageSize = int(pre, 'crop_size', 'dataset.preprocessing');
  const w = 'model.vq_model';
  const numTokens = int(vq, 'num_latent_tokens', w);
  const tokenSize = int(vq, 'token_size', w);
  const spec: TatitokSpec = {
    mode,
    imageSize,
    numTokens,
    tokenSize,
    codebookSize: mode === 'vq' ? int(vq, 'codebook_size', w) : 0,
    useL2Norm: vq.use_l2_norm === true,
    isLegacy: vq.is_legacy !== false,
    textEmbedDim: int(vq, 'text_embed_dim', w, 768),
    textContextLength: int(vq, 'text_context_length', w, 77),
    encoder: vit(
      st,
      'encoder',
      vq.vit_enc_model_size,
      int(vq, 'vit_enc_patch_size', w),
      imageSize,
      opts.encoderHeads ?? optInt(vq, 'vit_enc_num_heads', w),
      `${w}.vit_enc_model_size`,
    ),
    decoder: vit(
      st,
      'decoder',
      vq.vit_dec_model_size,
      int(vq, 'vit_dec_patch_size', w),
      imageSize,
      opts.decoderHeads ?? optInt(vq, 'vit_dec_num_heads', w),
      `${w}.vit_dec_model_size`,
    ),
  };
  const lat = st.info('latent_tokens').dims;
  if (lat[0] !== numTokens || lat[1] !== spec.encoder.width) {
    throw new MaskgenError('SHAPE_MISMATCH', `latent_tokens has shape ${quote(lat)}, expected [${numTokens}, ${spec.encoder.width}] from the config`);
  }
  if (mode === 'vq') {
    const cb = st.info('quantize.embedding.weight').dims;
    if (cb[0] !== spec.codebookSize || cb[1] !== tokenSize) {
      throw new MaskgenError('SHAPE_MISMATCH', `quantize.embedding.weight has shape ${quote(cb)}, expected [${spec.codebookSize}, ${tokenSize}]`);
    }
  }
  return spec;
}
