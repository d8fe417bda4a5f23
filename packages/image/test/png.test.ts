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

/** Packs samples of `depth` bits into PNG's big-endian scanline bytes. */
function pack(samples: number[], depth: number): number[] {
  if (depth === 8) return samples;
  if (depth === 16) return samples.flatMap((v) => [v >> 8, v & 0xff]);
  const out = new Array<number>(Math.ceil((samples.length * depth) / 8)).fill(0);
  samples.forEach((v, i) => {
    out[(i * depth) >> 3] |= v << (8 - depth - ((i * depth) & 7));
  });
  return out;
}

/** Adam7-interlaced scanlines (packed at `depth` bits) grouped by pass, written independently of the decoder. */
function adam7Passes(w: number, h: number, ch: number, data: number[], depth = 8): number[][][] {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  return passes.map(([x0, y0, dx, dy]) => {
    const lines: number[][] = [];
    for (let y = y0; y < h; y += dy) {
      const row: number[] = [];
      for (let x = x0; x < w; x += dx) row.push(...data.slice((y * w + x) * ch, (y * w + x + 1) * ch));
      if (row.length) lines.push(pack(row, depth));
    }
    return lines;
  });
}
const adam7Rows = (w: number, h: number, ch: number, data: number[], depth = 8) => adam7Passes(w, h, ch, data, depth).flat();

/** Filters each pass's lines with types cycling 0..4 (the encoder side of PNG filtering), filter byte first. */
function filtered(passes: number[][][], bpp: number): Buffer {
  const out: number[] = [];
  for (const lines of passes) {
    let prev: number[] = [];
    lines.forEach((line, j) => {
      const t = j % 5;
      out.push(t);
      line.forEach((x, i) => {
        const [a, b, c] = [line[i - bpp] ?? 0, prev[i] ?? 0, prev[i - bpp] ?? 0];
        const p = a + b - c;
        const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
        const pred = [0, a, b, (a + b) >> 1, paeth][t];
        out.push((x - pred + 256) & 0xff);
      });
      prev = line;
    });
  }
  return deflateSync(Buffer.from(out));
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

  it('decodes Adam7-interlaced images of every bit depth to the same pixels as non-interlaced ones', async () => {
    const cases = [
      { color: 0, ch: 1, depth: 1 },
      { color: 0, ch: 1, depth: 2 },
      { color: 0, ch: 1, depth: 4 },
      { color: 3, ch: 1, depth: 1 },
      { color: 3, ch: 1, depth: 2 },
      { color: 3, ch: 1, depth: 4 },
      { color: 0, ch: 1, depth: 8 },
      { color: 2, ch: 3, depth: 8 },
      { color: 0, ch: 1, depth: 16 },
      { color: 2, ch: 3, depth: 16 },
      { color: 4, ch: 2, depth: 16 },
    ];
    for (const [w, h] of [
      [11, 9],
      [3, 2],
      [1, 1],
    ]) {
      for (const { color, ch, depth } of cases) {
        const what = `${w}×${h} color ${color} at ${depth} bits`;
        const data = Array.from({ length: w * h * ch }, (_, i) => ((i * 2654435761) >>> 7) % 2 ** depth);
        // Palette images use every index; tRNS stops short of the last entry, which stays opaque.
        const plte = color === 3 ? Array.from({ length: 2 ** depth * 3 }, (_, i) => (i * 41 + 3) % 256) : undefined;
        const trns = color === 3 ? [200, 0, 77].slice(0, 2 ** depth - 1) : undefined;
        const opts = { depth, plte, trns };
        const plain = await px(
          png(
            w,
            h,
            color,
            rows8(w, h, ch, data).map((r) => pack(r, depth)),
            opts,
          ),
        );
        // The plain decode is right on its own: gray scaled to 0..255 as PIL does, 16-bit keeps the high byte.
        if (color === 0) {
          const scale = depth < 8 ? 255 / (2 ** depth - 1) : 1;
          expect(plain, what).toEqual(data.flatMap((v) => Array(3).fill(depth === 16 ? v >> 8 : v * scale)));
        }
        if (color === 3) expect(plain.slice(0, 4), what).toEqual([...plte!.slice(data[0] * 3, data[0] * 3 + 3), trns![data[0]] ?? 255]);
        const interlaced = png(w, h, color, adam7Rows(w, h, ch, data, depth), { ...opts, interlace: 1 });
        expect(await px(interlaced), what).toEqual(plain);
        const idat = filtered(adam7Passes(w, h, ch, data, depth), Math.max(1, (ch * depth) / 8));
        expect(await px(png(w, h, color, [], { ...opts, interlace: 1, idat })), `${what}, filtered`).toEqual(plain);
      }
    }
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
    const bad1 = adam7Rows(8, 8, 1, new Array(64).fill(0), 1);
    await invalid(
      png(
        8,
        8,
        0,
        bad1.map((r, i) => (i === 3 ? [] : r)),
        { depth: 1, interlace: 1 },
      ),
      /image data holds/,
    );
    const badFilter = Buffer.concat(bad1.map((r, i) => Buffer.from([i === 2 ? 7 : 0, ...r])));
    await invalid(png(8, 8, 0, [], { depth: 1, interlace: 1, idat: deflateSync(badFilter) }), /unknown filter type 7/);
    await invalid(png(8, 8, 3, bad1, { depth: 1, interlace: 1, plte: [1, 2, 3], trns: [1, 2] }), /tRNS chunk holds 2 alpha values for a 1-entry palette/);
    await invalid(png(8, 8, 3, bad1, { depth: 1, interlace: 1, plte: [1, 2, 3, 4] }), /PLTE chunk holds 4 bytes/);
  });

  it('refuses a header over the pixel limit and a decompression bomb before allocating for them', async () => {
    await invalid(png(20_000, 20_000, 2, [], { idat: deflateSync(Buffer.alloc(10)) }), new RegExp(`exceeds the ${MAX_IMAGE_PIXELS}-pixel limit`));
    // 4×4 RGB needs 52 bytes; this stream inflates to 64 MB.
    await invalid(png(4, 4, 2, [], { idat: deflateSync(Buffer.alloc(64 << 20)) }), /inflates to more than 52 bytes/);
    await invalid(png(4, 4, 2, [], { idat: deflateSync(Buffer.alloc(20)) }), /holds 20 bytes, expected 52/);
    await invalid(png(4, 4, 2, [], { idat: Buffer.from([1, 2, 3, 4]) }), /not a valid deflate stream/);
  });
});
