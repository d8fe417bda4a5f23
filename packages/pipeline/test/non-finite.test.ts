import { tensor } from '@maskgen/core';
import type { Tatitok } from '@maskgen/tatitok';
import { expectMaskgenError } from '@maskgen/test-utils';
import { describe, expect, it } from 'vitest';
import { decodeImages } from '../src/decode-images.js';

/** A decoder standing in for one with NaN weights: it returns what it is given as pixels. */
const fakeTok = (pixels: number[]) => ({ decode: async () => tensor('float32', [1, 3, 1, 2], pixels) }) as unknown as Tatitok;
const text = tensor('float32', [1, 1, 1]);
const ids = tensor('int64', [1, 2]);

describe('non-finite numbers never become a black PNG silently', () => {
  it('NaN/Inf pixels from the decoder are NON_FINITE by default', async () => {
    await expectMaskgenError(
      decodeImages(fakeTok([Number.NaN, 0, 0, 0, 0, 0]), ids, text),
      'NON_FINITE',
      /decoded images: 1 of 6 values are NaN or infinite.*--allow-nonfinite/,
    );
    await expectMaskgenError(decodeImages(fakeTok([Number.POSITIVE_INFINITY, 0, 0, 0, 0, 0]), ids, text), 'NON_FINITE');
  });
  it('non-finite latents (e.g. divided by a scale_factor of 0) are refused before decoding', async () => {
    await expectMaskgenError(decodeImages(fakeTok([0, 0, 0, 0, 0, 0]), tensor('float32', [1, 2], [Number.NaN, 1]), text), 'NON_FINITE', /latents: 1 of 2/);
  });
  it('allowNonFinite writes the image and warns', async () => {
    const warnings: string[] = [];
    const [img] = await decodeImages(fakeTok([Number.NaN, 1, 1, 1, 1, 1]), ids, text, undefined, { allowNonFinite: true, onWarning: (m) => warnings.push(m) });
    expect(img.width).toBe(2);
    expect(warnings).toEqual([expect.stringMatching(/1 of 6 values are NaN or infinite.*allowed/)]);
  });
});
