import { isMaskgenError } from '@maskgen/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokensFromJson } from '../src/image-io.js';

describe('token files under fuzzing', () => {
  it('arbitrary JSON and text give a tensor or a MaskgenError naming the file, never a crash', () => {
    const check = (text: string) => {
      try {
        const { tensor } = tokensFromJson(text, 'fuzz.json');
        expect(tensor.data.length).toBe(tensor.dims.reduce((a, b) => a * b, 1));
      } catch (e) {
        expect(isMaskgenError(e), String(e)).toBe(true);
        expect(String((e as Error).message)).toMatch(/fuzz\.json/);
      }
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: 1500 });
    fc.assert(
      fc.property(fc.jsonValue(), (v) => check(JSON.stringify(v))),
      { numRuns: 1500 },
    );
    const shaped = fc.record({
      model: fc.oneof(fc.string(), fc.nat()),
      mode: fc.constantFrom('vq', 'vae', 'x'),
      dims: fc.array(fc.integer({ min: -2, max: 6 }), { maxLength: 5 }),
      tokens: fc.array(fc.oneof(fc.integer(), fc.double()), { maxLength: 40 }),
    });
    fc.assert(
      fc.property(shaped, (v) => check(JSON.stringify(v))),
      { numRuns: 2000 },
    );
  });
});
