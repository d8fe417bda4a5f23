import { MaskgenError, SeededRng, type Tensor, quote } from '@maskgen/core';
import { type ImageBytes, imageToTensor } from '@maskgen/tatitok';
import { decodeImages } from './decode-images.js';
import { loadTatitok } from './image-tokenizer.js';
import { type ModelRef, resolveModel } from './model-file.js';
import { describeModel } from './model-kind.js';
import { loadTextEncoder } from './text-encoder.js';
import type { LoadOptions, RgbaImage } from './types.js';

/** A loaded TA-TiTok with its CLIP text tower: images ⇄ tokens, decoding guided by text. */
export interface ImageTokenizer {
  readonly modelId: string;
  readonly mode: 'vq' | 'vae';
  /** Side length of the square images the model takes and makes. */
  readonly imageSize: number;
  /** Images of exactly `imageSize` (resize/crop first) → tokens: VQ ids [B,N], or KL latents [B,C,1,N] sampled with `seed`. */
  encode(images: readonly ImageBytes[], opts?: { seed?: number; signal?: AbortSignal }): Promise<Tensor>;
  /** Tokens → images, guided by one prompt per row (TA-TiTok is text-aware; "" is allowed). */
  decode(tokens: Tensor, prompts: readonly string[], opts?: { signal?: AbortSignal }): Promise<RgbaImage[]>;
  /** encode then decode: how much of an image survives the 1D tokens. */
  reconstruct(images: readonly ImageBytes[], prompts: readonly string[], opts?: { seed?: number; signal?: AbortSignal }): Promise<RgbaImage[]>;
  dispose(): Promise<void>;
}

function batch(images: readonly ImageBytes[], size: number): Tensor<'float32'> {
  if (images.length === 0) throw new MaskgenError('INVALID_ARGUMENT', 'images: expected at least one image');
  const parts = images.map((img, i) => {
    if (img.width !== size || img.height !== size) {
      throw new MaskgenError('INVALID_IMAGE', `images[${i}]: expected ${size}×${size} (resize and center-crop first), got ${quote([img.width, img.height])}`);
    }
    return imageToTensor(img).data;
  });
  const out = new Float32Array(parts.length * parts[0].length);
  parts.forEach((p, i) => out.set(p, i * p.length));
  return { dtype: 'float32', dims: [images.length, 3, size, size], data: out };
}

/** Loads a TA-TiTok repo (and CLIP for its text guidance) for encoding, decoding and reconstruction. */
export async function createImageTokenizer(model: ModelRef, opts: LoadOptions): Promise<ImageTokenizer> {
  const resolved = await resolveModel(model, opts, opts.config ?? opts.tokenizerConfig);
  const modelId = resolved.id;
  const entry = describeModel(modelId, resolved.config);
  if (entry.kind !== 'tokenizer') throw new MaskgenError('UNKNOWN_MODEL', `${quote(modelId)} is a ${entry.kind}, not a TA-TiTok tokenizer`);
  const [tok, clip] = await Promise.all([loadTatitok(resolved, opts), loadTextEncoder(opts)]);
  const size = tok.spec.imageSize;
  const decode = async (tokens: Tensor, prompts: readonly string[], o: { signal?: AbortSignal } = {}) => {
    if (prompts.length !== tokens.dims[0])
      throw new MaskgenError('INVALID_ARGUMENT', `prompts: expected ${tokens.dims[0]} (one per token row), got ${prompts.length}`);
    const enc = await clip.encode(prompts, o);
    return decodeImages(tok, tokens, enc.final, o.signal, opts);
  };
  const encode = async (images: readonly ImageBytes[], o: { seed?: number; signal?: AbortSignal } = {}) => {
    const enc = await tok.encode(batch(images, size), o);
    return enc.mode === 'vq' ? enc.indices : tok.samplePosterior(enc, new SeededRng(o.seed ?? 0));
  };
  return {
    modelId,
    mode: tok.spec.mode,
    imageSize: size,
    encode,
    decode,
    async reconstruct(images, prompts, o = {}) {
      return decode(await encode(images, o), prompts, o);
    },
    async dispose() {
      await Promise.all([tok.dispose(), clip.dispose()]);
    },
  };
}
