import { isMaskgenError } from '@maskgen/core';
import { decode as fastPngDecode } from 'fast-png';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeJpeg, encodePng, imageFormat } from '../src/index.js';

const rejects = async (p: Promise<unknown>, code: string, re: RegExp) => {
  const e = await p.catch((x: unknown) => x);
  expect(isMaskgenError(e, code as never), String(e)).toBe(true);
  expect((e as Error).message).toMatch(re);
};

/** A smooth RGBA test picture (JPEG's lossy steps stay small on it). */
function picture(w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.set([(x * 255) / (w - 1), (y * 255) / (h - 1), 128, 255], (y * w + x) * 4);
  return d;
}

describe('encodePng', () => {
  it('round-trips opaque RGBA as RGB, keeps real alpha, and carries text chunks', async () => {
    const rgba = picture(16, 8);
    const bytes = encodePng({ width: 16, height: 8, data: rgba }, { prompt: 'a fox', seed: '7', ünï: 'naïve → ok' });
    const back = await decodeImage(bytes);
    expect(back.channels).toBe(3);
    expect(Array.from(back.data)).toEqual(Array.from(rgba.filter((_, i) => i % 4 !== 3)));
    expect(fastPngDecode(bytes).text).toEqual({ prompt: 'a fox', seed: '7', ünï: 'naïve ? ok' });
    const holey = rgba.slice();
    holey[3] = 10;
    const withAlpha = await decodeImage(encodePng({ width: 16, height: 8, data: holey }));
    expect(withAlpha.channels).toBe(4);
    expect(Array.from(withAlpha.data)).toEqual(Array.from(holey));
    const rgb = await decodeImage(encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) }));
    expect(Array.from(rgb.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('names the problem with bad sizes', () => {
    expect(() => encodePng({ width: 0, height: 1, data: new Uint8Array() })).toThrow(/positive integers, got 0×1/);
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(5) })).toThrow(/expected 2×2×3 or ×4 bytes, got 5/);
  });
});

describe('decodeImage', () => {
  it('decodes JPEG within the lossy step of a quality-95 encode', async () => {
    const [w, h] = [24, 16];
    const src = picture(w, h);
    const file = new Uint8Array(jpeg.encode({ width: w, height: h, data: src }, 95).data);
    expect(imageFormat(file)).toBe('jpeg');
    const img = await decodeImage(file);
    expect(img).toMatchObject({ width: w, height: h, channels: 3 });
    let max = 0;
    for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(img.data[i * 3 + c] - src[i * 4 + c]));
    expect(max).toBeLessThanOrEqual(6);
  });

  it('refuses other formats by name, and hostile or broken JPEGs with INVALID_IMAGE', async () => {
    const riff = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]);
    await rejects(decodeImage(riff), 'INVALID_IMAGE', /a WEBP file; expected PNG or JPEG/);
    await rejects(decodeImage(new TextEncoder().encode('GIF89a....')), 'INVALID_IMAGE', /a GIF file/);
    await rejects(decodeImage(new Uint8Array([0, 1, 2])), 'INVALID_IMAGE', /unrecognised format/);
    await rejects(decodeImage('x.png' as never), 'INVALID_ARGUMENT', /expected the file's bytes/);
    const file = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: picture(8, 8) }, 90).data);
    await rejects(decodeJpeg(file.subarray(0, 40)), 'INVALID_IMAGE', /^JPEG: /);
    // The frame header claims 60000×60000: refused from the header, not after allocating 10 GB.
    const huge = file.slice();
    const sof = huge.findIndex((b, i) => b === 0xff && huge[i + 1] === 0xc0);
    huge.set([0xea, 0x60, 0xea, 0x60], sof + 5);
    await rejects(decodeJpeg(huge), 'INVALID_IMAGE', /maxResolutionInMP limit exceeded|limit/);
  });

  it('never throws anything but a MaskgenError on fuzzed JPEG bytes', async () => {
    const file = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: picture(8, 8) }, 90).data);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: file.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.nat({ max: file.length }), async (at, v, cut) => {
        for (const bytes of [Object.assign(file.slice(), { [at]: v }), file.subarray(0, cut)]) {
          try {
            const img = await decodeImage(bytes);
            expect(img.data.length).toBe(img.width * img.height * img.channels);
          } catch (e) {
            expect(isMaskgenError(e), String(e)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
