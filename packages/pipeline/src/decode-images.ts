import { type NonFinitePolicy, type Tensor, checkFinite } from '@maskgen/core';
import { type Tatitok, toRgba, toUint8Images } from '@maskgen/tatitok';
import type { RgbaImage } from './types.js';

/** Decodes tokens under the prompts' CLIP ln_final states into RGBA images (reference quantisation). */
export async function decodeImages(tok: Tatitok, tokens: Tensor, final: Tensor, signal?: AbortSignal, policy: NonFinitePolicy = {}): Promise<RgbaImage[]> {
  // Non-finite latents (hostile token files, a scale_factor of 0) or pixels (NaN weights) never become a black PNG silently.
  checkFinite(tokens, 'latents', policy);
  const pixels = await tok.decode(tokens, final, { signal });
  checkFinite(pixels, 'decoded images', policy);
  const u8 = toUint8Images(pixels);
  return Array.from({ length: u8.dims[0] }, (_, i) => toRgba(u8, i));
}
