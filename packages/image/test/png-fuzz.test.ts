import { isMaskgenError } from '@maskgen/core';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../src/index.js';

const GOLDEN = resolve(__dirname, '../../../../shared/golden');
const real = new Uint8Array(readFileSync(join(GOLDEN, 'e2e_vq/image_0.png')));

/** Decoding must either succeed with a consistent buffer or raise a MaskgenError — never anything else. */
async function decodesOrRejects(bytes: Uint8Array): Promise<void> {
  try {
    const img = await decodePng(bytes);
    expect(img.data.length).toBe(img.width * img.height * img.channels);
  } catch (e) {
    expect(isMaskgenError(e), String(e)).toBe(true);
  }
}

describe('PNG decoder under fuzzing', () => {
  it('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), decodesOrRejects), { numRuns: 2000 });
  }, 60_000);

  it('a real PNG with bytes flipped, truncated or extended', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: real.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.nat({ max: real.length }), async (at, v, cut) => {
        const flipped = real.slice();
        flipped[at] = v;
        await decodesOrRejects(flipped);
        await decodesOrRejects(real.subarray(0, cut));
      }),
      { numRuns: 1500 },
    );
  }, 60_000);
});
