import { MaskgenError } from '@maskgen/core';
import { encode as fastPngEncode } from 'fast-png';

/** Pixels to write: RGB or RGBA bytes (channels inferred from the length when not given). */
export interface EncodableImage {
  width: number;
  height: number;
  channels?: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

const latin1 = (s: string) => s.replace(/[^\u0000-\u00ff]/g, '?');

/**
 * Encodes 8-bit RGB/RGBA pixels as a PNG (fast-png), with tEXt chunks (prompt, seed, settings) so
 * every image carries what is needed to reproduce it. Fully opaque RGBA is written as RGB (what the
 * models produce; a quarter smaller). tEXt is Latin-1: other characters become '?', keys are cut to 79.
 */
export function encodePng(img: EncodableImage, text: Record<string, string> = {}): Uint8Array {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new MaskgenError('INVALID_ARGUMENT', `encodePng: width and height must be positive integers, got ${width}×${height}`);
  }
  const channels = img.channels ?? data.length / (width * height);
  if ((channels !== 3 && channels !== 4) || data.length !== width * height * channels) {
    throw new MaskgenError('INVALID_ARGUMENT', `encodePng: expected ${width}×${height}×3 or ×4 bytes, got ${data.length}`);
  }
  let px = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  let out = channels;
  if (channels === 4 && px.every((v, i) => i % 4 !== 3 || v === 255)) {
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < px.length; i += 4, j += 3) {
      rgb[j] = px[i];
      rgb[j + 1] = px[i + 1];
      rgb[j + 2] = px[i + 2];
    }
    px = rgb;
    out = 3;
  }
  const chunks = Object.fromEntries(Object.entries(text).map(([k, v]) => [latin1(k).slice(0, 79) || '?', latin1(String(v))]));
  return fastPngEncode({ width, height, channels: out, depth: 8, data: px, text: chunks });
}
