/**
 * 8-bit pixels with 3 (RGB) or 4 (RGBA) interleaved channels: what every decoder here returns and
 * what `encodePng` takes. Structurally the same as `@maskgen/tatitok`'s `ImageBytes`, so decoded
 * images go straight into `Tatitok.encode`/`resizeAndCenterCrop` without a copy.
 */
export interface PixelImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/** Largest image accepted (pixels): a 2-GB RGBA buffer is a hostile file, not a photo. */
export const MAX_IMAGE_PIXELS = 100_000_000;
