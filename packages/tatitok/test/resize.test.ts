import { MaskgenError } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { resizeAndCenterCrop } from '../src/index.js';

describe('resizeAndCenterCrop', () => {
  it('resizes a non-square image by its shorter side and crops the centre (half-to-even offset)', () => {
    const w = 6;
    const h = 3;
    const data = new Uint8Array(w * h * 3).map((_, i) => (Math.floor(i / 3) % w) * 40);
    const out = resizeAndCenterCrop({ width: w, height: h, channels: 3, data }, 3);
    expect(out).toMatchObject({ width: 3, height: 3 });
    // The shorter side is already 3: no resampling; torchvision's offset round(1.5) = 2 keeps columns 2–4.
    expect(Array.from({ length: 3 }, (_, x) => out.data[x * 3])).toEqual([80, 120, 160]);
    const half = resizeAndCenterCrop({ width: 4, height: 4, channels: 3, data: new Uint8Array(48).fill(100) }, 2);
    expect(Array.from(half.data)).toEqual(new Array(12).fill(100));
  });

  it('matches PIL (Pillow 9.4) + torchvision Resize/CenterCrop byte for byte', () => {
    const img = (width: number, height: number) => ({
      width,
      height,
      channels: 3 as const,
      data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 53 + (i >> 3) * 17) % 256),
    });
    // Expected bytes: torchvision's Resize(size, BICUBIC|BILINEAR) + CenterCrop(size) on the PIL image.
    expect(Array.from(resizeAndCenterCrop(img(11, 7), 5).data)).toEqual(PIL_DOWN);
    expect(Array.from(resizeAndCenterCrop(img(3, 2), 5).data)).toEqual(PIL_UP);
    expect(Array.from(resizeAndCenterCrop(img(9, 13), 4, { filter: 'bilinear' }).data)).toEqual(PIL_BILINEAR);
  });

  it('rejects bad sizes, filters and pixel buffers', () => {
    const ok = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(12) };
    expect(() => resizeAndCenterCrop(ok, 0)).toThrow(/size: expected a positive integer, got 0/);
    expect(() => resizeAndCenterCrop(ok, 2, { filter: 'lanczos' as 'bicubic' })).toThrow(/filter: expected "bicubic" or "bilinear", got "lanczos"/);
    expect(() => resizeAndCenterCrop({ ...ok, width: 0 }, 2)).toThrow(MaskgenError);
    expect(() => resizeAndCenterCrop({ ...ok, data: new Uint8Array(11) }, 2)).toThrow(/does not match 11 bytes/);
  });
});

const PIL_DOWN = [
  112, 144, 124, 153, 114, 141, 112, 117, 155, 176, 101, 126, 100, 142, 126, 123, 136, 169, 89, 156, 88, 125, 150, 158, 132, 150, 66, 142, 117, 137, 154, 151,
  71, 116, 96, 123, 121, 147, 172, 133, 73, 108, 117, 124, 191, 132, 121, 83, 59, 107, 161, 116, 184, 71, 116, 90, 146, 122, 166, 151, 169, 59, 128, 94, 143,
  200, 161, 100, 107, 67, 131, 173, 142, 199, 94,
];
const PIL_UP = [
  0, 71, 94, 86, 150, 26, 161, 214, 0, 130, 181, 66, 74, 125, 167, 30, 68, 96, 101, 147, 49, 158, 211, 25, 125, 179, 89, 71, 125, 169, 123, 60, 100, 143, 139,
  111, 150, 203, 128, 110, 175, 151, 62, 124, 172, 216, 52, 103, 184, 130, 173, 142, 195, 231, 94, 170, 213, 53, 123, 175, 251, 49, 105, 199, 127, 196, 139,
  192, 255, 89, 168, 236, 50, 123, 177,
];
const PIL_BILINEAR = [
  110, 151, 113, 133, 137, 138, 111, 115, 131, 135, 128, 134, 112, 126, 127, 124, 125, 138, 139, 120, 124, 139, 146, 120, 130, 129, 131, 120, 110, 119, 123,
  129, 135, 114, 129, 146, 133, 139, 129, 122, 138, 118, 124, 132, 139, 146, 114, 120,
];
