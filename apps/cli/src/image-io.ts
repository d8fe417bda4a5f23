import { MaskgenError, type Tensor, tensor } from '@maskgen/core';
import { decodeImage } from '@maskgen/image';
import { type ImageBytes, resizeAndCenterCrop } from '@maskgen/tatitok';
import { INPUT_LIMITS, readInput } from './read-input.js';

/** Reads and decodes a PNG or JPEG file, naming the file in any error. */
export async function readPng(path: string, signal?: AbortSignal): Promise<ImageBytes> {
  const bytes = await readInput(path, 'image', INPUT_LIMITS.image, signal);
  return decodeImage(bytes).catch((e: unknown) => {
    throw new MaskgenError('INVALID_IMAGE', `image ${JSON.stringify(path)}: ${(e as Error).message}`, { cause: e });
  });
}

/** Reads a PNG or JPEG for a model of `size`×`size` pixels (shorter side resized, centre cropped). */
export async function readImage(path: string, size: number, signal?: AbortSignal): Promise<ImageBytes> {
  return fitImage(await readPng(path, signal), size);
}

/** Resizes (shorter side) and centre-crops a decoded image for a model of `size`×`size` pixels. */
export function fitImage(img: ImageBytes, size: number): ImageBytes {
  return img.width === size && img.height === size ? img : resizeAndCenterCrop(img, size);
}

/** The token file format of `maskgen encode` / `decode`: self-describing JSON. */
export interface TokenFile {
  model: string;
  mode: 'vq' | 'vae';
  dims: number[];
  tokens: number[];
}

/** Serialises tokens with the model they belong to. */
export function tokensToJson(model: string, mode: 'vq' | 'vae', t: Tensor): string {
  return `${JSON.stringify({ model, mode, dims: [...t.dims], tokens: Array.from(t.data as ArrayLike<number | bigint>, Number) } satisfies TokenFile)}\n`;
}

/** Largest latent magnitude a token file may hold: real posterior samples stay within ±100. */
export const MAX_LATENT = 10_000;

/** Parses and checks a token file, naming what is wrong. */
export function tokensFromJson(text: string, path: string): { file: TokenFile; tensor: Tensor } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new MaskgenError('INVALID_ARGUMENT', `tokens file ${JSON.stringify(path)}: not valid JSON`, { cause });
  }
  const f = raw as Partial<TokenFile>;
  const fail = (what: string) => new MaskgenError('INVALID_ARGUMENT', `tokens file ${JSON.stringify(path)}: ${what}`);
  if (typeof f !== 'object' || f === null) throw fail('expected an object { model, mode, dims, tokens }');
  if (typeof f.model !== 'string') throw fail('"model" must be a repo id string');
  if (f.mode !== 'vq' && f.mode !== 'vae') throw fail(`"mode" must be "vq" or "vae", got ${JSON.stringify(f.mode)}`);
  if (!Array.isArray(f.dims) || f.dims.length < 2 || f.dims.length > 4 || !f.dims.every((d) => Number.isInteger(d) && d > 0 && d <= 1_000_000)) {
    throw fail(`"dims" must be 2–4 positive integers, got ${JSON.stringify(f.dims)?.slice(0, 60)}`);
  }
  const n = f.dims.reduce((a, b) => a * b, 1);
  if (!Array.isArray(f.tokens) || f.tokens.length !== n || !f.tokens.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw fail(`"tokens" must hold ${n} finite numbers`);
  }
  // JSON numbers past 2^53 are rounded by the parser: ids must be exact, so they must be safe integers.
  if (f.mode === 'vq' && !f.tokens.every((v) => Number.isSafeInteger(v) && v >= 0))
    throw fail(`VQ tokens must be non-negative integers below 2^53 (ids of the codebook)`);
  if (f.mode === 'vae' && !f.tokens.every((v) => Math.abs(v) <= MAX_LATENT)) throw fail(`latents must lie in [-${MAX_LATENT}, ${MAX_LATENT}]`);
  const t = f.mode === 'vq' ? tensor('int64', f.dims, f.tokens) : tensor('float32', f.dims, f.tokens);
  return { file: f as TokenFile, tensor: t };
}
