import { MaskgenError, type Tensor, quote, tensor } from '@maskgen/core';

/** 8-bit pixels with 3 (RGB) or 4 (RGBA) interleaved channels. */
export interface ImageBytes {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/**
 * The reference's post-processing: clamp(0, 1) · 255 in float32, then `.to(uint8)` truncation,
 * NCHW float → NHWC bytes [B, H, W, 3].
 */
export function toUint8Images(images: Tensor): Tensor<'uint8'> {
  const [B, C, H, W] = images.dims;
  if (images.dtype !== 'float32' || images.dims.length !== 4 || C !== 3) {
    throw new MaskgenError('INVALID_IMAGE', `images: expected float32 [B, 3, H, W], got ${images.dtype} ${quote(images.dims)}`);
  }
  const src = images.data as Float32Array;
  const out = new Uint8Array(B * H * W * 3);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < H * W; i++) {
        const v = Math.min(1, Math.max(0, src[(b * 3 + c) * H * W + i]));
        out[(b * H * W + i) * 3 + c] = Math.trunc(Math.fround(v * 255));
      }
  return tensor('uint8', [B, H, W, 3], out);
}

/** One NHWC uint8 image of a batch as RGBA bytes (alpha 255), for canvases and PNG encoders. */
export function toRgba(uint8: Tensor<'uint8'>, index: number): { width: number; height: number; data: Uint8Array } {
  const [, H, W] = uint8.dims;
  const out = new Uint8Array(H * W * 4);
  const src = uint8.data.subarray(index * H * W * 3, (index + 1) * H * W * 3);
  for (let i = 0; i < H * W; i++) {
    out[i * 4] = src[i * 3];
    out[i * 4 + 1] = src[i * 3 + 1];
    out[i * 4 + 2] = src[i * 3 + 2];
    out[i * 4 + 3] = 255;
  }
  return { width: W, height: H, data: out };
}

/** RGB(A) bytes of exactly the model's size → float32 [1,3,H,W] in [0,1] (alpha is dropped). */
export function imageToTensor(img: ImageBytes): Tensor<'float32'> {
  const { width: W, height: H, channels } = img;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W <= 0 || H <= 0) {
    throw new MaskgenError('INVALID_IMAGE', `image: expected a positive width and height, got ${quote([W, H])}`);
  }
  if (channels !== 3 && channels !== 4) throw new MaskgenError('INVALID_IMAGE', `image: expected 3 (RGB) or 4 (RGBA) channels, got ${quote(channels)}`);
  if (img.data.length !== W * H * channels) {
    throw new MaskgenError('INVALID_IMAGE', `image: expected ${W * H * channels} bytes for ${W}×${H}×${channels}, got ${img.data.length}`);
  }
  const out = new Float32Array(3 * H * W);
  for (let i = 0; i < H * W; i++) for (let c = 0; c < 3; c++) out[c * H * W + i] = img.data[i * channels + c] / 255;
  return tensor('float32', [1, 3, H, W], out);
}
