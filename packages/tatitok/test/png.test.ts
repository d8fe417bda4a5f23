import { SafetensorsFile, isMaskgenError } from '@maskgen/core';
import { nodeFile, nodeRuntime } from '@maskgen/runtime-node';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Tatitok, decodePng, imageToTensor, resizeAndCenterCrop, toUint8Images } from '../src/index.js';

const GOLDEN = resolve(__dirname, '../../../../shared/golden');

function crc(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(body));
  return Buffer.concat([len, body, c]);
}
/** A PNG writer for fixtures (filter 0 rows, or filter `f` on every row). */
function png(w: number, h: number, color: number, px: number[], opts: { depth?: number; plte?: number[]; filter?: number } = {}): Uint8Array {
  const ch = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[color]!;
  const rows = [];
  for (let y = 0; y < h; y++) rows.push(Buffer.from([opts.filter ?? 0, ...px.slice(y * w * ch, (y + 1) * w * ch)]));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([opts.depth ?? 8, color, 0, 0, 0], 8);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', ihdr),
      ...(opts.plte ? [chunk('PLTE', Buffer.from(opts.plte))] : []),
      chunk('IDAT', deflateSync(Buffer.concat(rows))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}
const invalid = async (bytes: Uint8Array, re: RegExp) => {
  const e = await decodePng(bytes).catch((x: unknown) => x);
  expect(isMaskgenError(e, 'INVALID_IMAGE'), String(e)).toBe(true);
  expect(String((e as Error).message)).toMatch(re);
};

describe('PNG decoding', () => {
  it('decodes the golden e2e PNG to exactly the reference uint8 image', async () => {
    const img = await decodePng(new Uint8Array(readFileSync(join(GOLDEN, 'e2e_vq/image_0.png'))));
    const io = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'e2e_vq/io.safetensors')));
    const ref = (await io.read('image_uint8')).data as Uint8Array;
    expect(img).toMatchObject({ width: 32, height: 32 });
    const rgb = img.channels === 3 ? img.data : img.data.filter((_, i) => i % 4 !== 3);
    expect(Array.from(rgb)).toEqual(Array.from(ref.subarray(0, 32 * 32 * 3)));
  });

  it('decodes gray, gray+alpha, RGB, RGBA and palette images, with every filter type', async () => {
    expect(Array.from((await decodePng(png(2, 1, 0, [10, 200]))).data)).toEqual([10, 10, 10, 200, 200, 200]);
    expect(Array.from((await decodePng(png(1, 1, 4, [7, 99]))).data)).toEqual([7, 7, 7, 99]);
    expect(Array.from((await decodePng(png(1, 1, 6, [1, 2, 3, 4]))).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from((await decodePng(png(2, 1, 3, [1, 0], { plte: [0, 0, 0, 9, 8, 7] }))).data)).toEqual([9, 8, 7, 0, 0, 0]);
    const px = Array.from({ length: 3 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const plain = await decodePng(png(3, 3, 2, px));
    expect(Array.from(plain.data)).toEqual(px);
    // Sub filter on stored bytes = differences: encode so that unfiltering reproduces known values.
    const sub = px.map((v, i) => (i % 9 >= 3 ? (v - px[i - 3] + 256) % 256 : v));
    expect(Array.from((await decodePng(png(3, 3, 2, sub, { filter: 1 }))).data)).toEqual(px);
  });

  it('rejects zero size, bad signature, truncation, corrupt CRC, 16-bit and unknown colour types', async () => {
    await invalid(png(0, 1, 2, []), /zero-sized/);
    await invalid(new Uint8Array([1, 2, 3]), /bad signature/);
    const good = png(4, 4, 2, new Array(48).fill(5));
    await invalid(good.subarray(0, good.length - 20), /truncated/);
    const flipped = good.slice();
    flipped[40] ^= 0xff;
    await invalid(flipped, /CRC mismatch|truncated|corrupt|not a valid/);
    await invalid(png(1, 1, 2, [0, 0, 0, 0, 0, 0], { depth: 16 }), /bit depth 16/);
    await invalid(png(1, 1, 5 as 2, [0]), /unknown color type 5/);
    await invalid(png(2, 1, 3, [0, 5], { plte: [1, 2, 3] }), /palette index 5/);
  });
});

describe('a real PNG through TA-TiTok (tiny golden model)', () => {
  it('decodes, resizes, encodes and decodes back to an image of the model size', async () => {
    const weights = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'tatitok_vq/weights.safetensors')));
    const config = JSON.parse(readFileSync(join(GOLDEN, 'tatitok_vq/config.json'), 'utf8'));
    const tok = await Tatitok.create({ runtime: nodeRuntime({ threads: 1 }), weights, config, encoderHeads: 4, decoderHeads: 4 });
    try {
      const decoded = await decodePng(new Uint8Array(readFileSync(join(GOLDEN, 'e2e_vq/image_1.png'))));
      const big = resizeAndCenterCrop({ ...decoded, data: decoded.data }, 64);
      expect(big).toMatchObject({ width: 64, height: 64 });
      const input = resizeAndCenterCrop(big, tok.spec.imageSize);
      const enc = await tok.encode(imageToTensor(input));
      expect(enc.mode).toBe('vq');
      const text = { dtype: 'float32' as const, dims: [1, 77, 64], data: new Float32Array(77 * 64) };
      const out = toUint8Images(await tok.decode(enc.mode === 'vq' ? enc.indices : enc.mean, text));
      expect(out.dims).toEqual([1, 32, 32, 3]);
    } finally {
      await tok.dispose();
    }
  });
});
