import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/index.js';

describe('crc32 (public: shared by the zip reader and @maskgen/image)', () => {
  it('gives the standard CRC-32 check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    // A PNG IEND chunk's type bytes always carry this CRC.
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    expect(crc32(new Uint8Array([1, 2, 3]).subarray(1))).toBe(crc32(new Uint8Array([2, 3])));
  });
});
