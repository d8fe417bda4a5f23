import { SafetensorsFile, isMaskgenError } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_PIXELS, decodePng } from '../src/index.js';
import { png, rows8 } from './png-fixtures.js';

const GOLDEN = resolve(__dirname, '../../../../shared/golden');

const invalid = async (bytes: Uint8Array, re: RegExp) => {
  const e = await decodePng(bytes).catch((x: unknown) => x);
  expect(isMaskgenError(e, 'INVALID_IMAGE'), String(e)).toBe(true);
  expect(String((e as Error).message)).toMatch(re);
};
const px = async (bytes: Uint8Array) => Array.from((await decodePng(bytes)).data);

/** Adam7-interlaced scanlines of 8-bit samples, written independently of the decoder. */
function adam7Rows(w: number, h: number, ch: number, data: number[]): number[][] {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  const rows: number[][] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < h; y += dy) {
      const row: number[] = [];
      for (let x = x0; x < w; x += dx) row.push(...data.slice((y * w + x) * ch, (y * w + x + 1) * ch));
      if (row.length) rows.push(row);
    }
  }
  return rows;
}

describe('PNG decoding', () => {
  it('decodes the golden e2e PNG to exactly the reference uint8 image', async () => {
    const img = await decodePng(new Uint8Array(readFileSync(join(GOLDEN, 'e2e_vq/image_0.png'))));
    expect(img).toMatchObject({ width: 32, height: 32 });
    const io = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'e2e_vq/io.safetensors')));
    const ref = (await io.read('image_uint8')).data as Uint8Array;
    const rgb = img.channels === 3 ? img.data : img.data.filter((_, i) => i % 4 !== 3);
    expect(Array.from(rgb)).toEqual(Array.from(ref.subarray(0, 32 * 32 * 3)));
  });

  it('decodes 8-bit gray, gray+alpha, RGB, RGBA and palette images, with filters', async () => {
    expect(await px(png(2, 1, 0, [[10, 200]]))).toEqual([10, 10, 10, 200, 200, 200]);
    expect(await px(png(1, 1, 4, [[7, 99]]))).toEqual([7, 7, 7, 99]);
    expect(await px(png(1, 1, 6, [[1, 2, 3, 4]]))).toEqual([1, 2, 3, 4]);
    expect(await px(png(2, 1, 3, [[1, 0]], { plte: [0, 0, 0, 9, 8, 7] }))).toEqual([9, 8, 7, 0, 0, 0]);
    expect(await px(png(2, 1, 3, [[1, 0]], { plte: [0, 0, 0, 9, 8, 7], trns: [50] }))).toEqual([9, 8, 7, 255, 0, 0, 0, 50]);
    const data = Array.from({ length: 3 * 3 * 3 }, (_, i) => (i * 37) % 256);
    expect(await px(png(3, 3, 2, rows8(3, 3, 3, data)))).toEqual(data);
    const sub = data.map((v, i) => (i % 9 >= 3 ? (v - data[i - 3] + 256) % 256 : v));
    expect(await px(png(3, 3, 2, rows8(3, 3, 3, sub), { filter: 1 }))).toEqual(data);
  });

  it('decodes 1-, 2- and 4-bit gray as PIL does (scaled to 0..255) and sub-byte palettes', async () => {
    expect(await px(png(3, 1, 0, [[0b10100000]], { depth: 1 }))).toEqual([255, 255, 255, 0, 0, 0, 255, 255, 255]);
    expect(await px(png(4, 1, 0, [[0b11100100]], { depth: 2 }))).toEqual([255, 255, 255, 170, 170, 170, 85, 85, 85, 0, 0, 0]);
    expect(await px(png(2, 1, 0, [[0xf1]], { depth: 4 }))).toEqual([255, 255, 255, 17, 17, 17]);
    expect(await px(png(3, 1, 3, [[0b01100000]], { depth: 2, plte: [1, 2, 3, 4, 5, 6, 7, 8, 9] }))).toEqual([4, 5, 6, 7, 8, 9, 1, 2, 3]);
  });

  it('decodes 16-bit images keeping the high byte of each sample', async () => {
    expect(await px(png(1, 1, 2, [[0x12, 0x34, 0xab, 0xcd, 0xff, 0x00]], { depth: 16 }))).toEqual([0x12, 0xab, 0xff]);
    expect(await px(png(1, 1, 4, [[0x80, 0x01, 0x40, 0xff]], { depth: 16 }))).toEqual([0x80, 0x80, 0x80, 0x40]);
  });

  it('decodes Adam7-interlaced images to the same pixels as non-interlaced ones', async () => {
    const [w, h] = [11, 9];
    const data = Array.from({ length: w * h * 3 }, (_, i) => (i * 53 + 7) % 256);
    const plain = await px(png(w, h, 2, rows8(w, h, 3, data)));
    expect(plain).toEqual(data);
    expect(await px(png(w, h, 2, adam7Rows(w, h, 3, data), { interlace: 1 }))).toEqual(data);
  });

  it('rejects zero size, bad signature, truncation, corrupt CRC, invalid depths and colour types', async () => {
    await invalid(png(0, 1, 2, []), /zero-sized/);
    await invalid(new Uint8Array([1, 2, 3]), /bad signature/);
    const good = png(4, 4, 2, rows8(4, 4, 3, new Array(48).fill(5)));
    await invalid(good.subarray(0, good.length - 20), /truncated/);
    const flipped = good.slice();
    flipped[40] ^= 0xff;
    await invalid(flipped, /CRC mismatch|truncated|corrupt|not a valid/);
    await invalid(png(1, 1, 3, [[0]], { depth: 16, plte: [0, 0, 0] }), /bit depth 16 is not valid for color type 3/);
    await invalid(png(1, 1, 2, [[0]], { depth: 3 }), /bit depth 3/);
    await invalid(png(1, 1, 5, [[0]]), /unknown color type 5/);
    await invalid(png(1, 1, 2, [[0, 0, 0]], { interlace: 2 }), /interlace method 2/);
    await invalid(png(2, 1, 3, [[0, 5]], { plte: [1, 2, 3] }), /palette index 5/);
    await invalid(png(2, 1, 3, [[0, 0]]), /without a PLTE/);
    await invalid(
      png(
        8,
        8,
        0,
        adam7Rows(8, 8, 1, new Array(64).fill(0)).map((r) => r.slice(0, Math.ceil(r.length / 8))),
        { depth: 1, interlace: 1 },
      ),
      /interlaced 1-bit/,
    );
  });

  it('refuses a header over the pixel limit and a decompression bomb before allocating for them', async () => {
    await invalid(png(20_000, 20_000, 2, [], { idat: deflateSync(Buffer.alloc(10)) }), new RegExp(`exceeds the ${MAX_IMAGE_PIXELS}-pixel limit`));
    // 4×4 RGB needs 52 bytes; this stream inflates to 64 MB.
    await invalid(png(4, 4, 2, [], { idat: deflateSync(Buffer.alloc(64 << 20)) }), /inflates to more than 52 bytes/);
    await invalid(png(4, 4, 2, [], { idat: deflateSync(Buffer.alloc(20)) }), /holds 20 bytes, expected 52/);
    await invalid(png(4, 4, 2, [], { idat: Buffer.from([1, 2, 3, 4]) }), /not a valid deflate stream/);
  });
});
