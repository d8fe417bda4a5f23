import type { Tensor } from '@maskgen/core';
import { type Tatitok, toRgba, toUint8Images } from '@maskgen/tatitok';
import type { RgbaImage } from './types.js';

/** Decodes tokens under the prompts' CLIP ln_final states into RGBA images (reference quantisation). */
export async function decodeImages(tok: Tatitok, tokens: Tensor, final: Tensor, signal?: AbortSignal): Promise<RgbaImage[]> {
  const u8 = toUint8Images(await tok.decode(tokens, final, { signal }));
  return Array.from({ length: u8.dims[0] }, (_, i) => toRgba(u8, i));
}
