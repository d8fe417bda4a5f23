import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, isMaskgenError, numel, tensor } from '../src/index.js';

describe('tensor helpers', () => {
  it('checks data length against dims', () => {
    expect(() => tensor('float32', [2, 2], [1, 2, 3])).toThrow(/expected 4 elements/);
    expect(tensor('int64', [2], [1, 2]).data).toBeInstanceOf(BigInt64Array);
  });

  it('rejects negative or fractional dims', () => {
    const err = (() => {
      try {
        numel([2, -1]);
      } catch (e) {
        return e;
      }
    })();
    expect(isMaskgenError(err, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('converts float16 both ways, rounding to nearest even', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8]) expect(float16ToFloat32(float32ToFloat16(v))).toBe(v);
    expect(float32ToFloat16(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16(1e6)).toBe(0x7c00);
    expect(Number.isNaN(float16ToFloat32(float32ToFloat16(NaN)))).toBe(true);
  });
});
