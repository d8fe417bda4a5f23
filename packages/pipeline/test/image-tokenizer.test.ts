import { SafetensorsFile } from '@maskgen/core';
import { expectMaskgenError } from '@maskgen/test-utils';
import { GOLDEN_IDS } from '@maskgen/mock-hub';
import { nodeFile, nodeRuntime } from '@maskgen/runtime-node';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createImageTokenizer } from '../src/index.js';
import { GOLDEN, useGoldenHub } from './hub-fixture.js';

const { source } = useGoldenHub();

/** The golden input images as 8-bit RGB, as a user would pass decoded PNGs. */
async function goldenImages() {
  const io = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'tatitok_vq/io.safetensors')));
  const t = await io.read('images');
  const [B, , H, W] = t.dims;
  const f = t.data as Float32Array;
  return Array.from({ length: B }, (_, b) => {
    const data = new Uint8Array(H * W * 3);
    for (let i = 0; i < H * W; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(f[(b * 3 + c) * H * W + i] * 255);
    return { width: W, height: H, channels: 3 as const, data };
  });
}

describe('createImageTokenizer', () => {
  it('encodes, decodes under text and reconstructs images through the hub-loaded tokenizer', async () => {
    const tok = await createImageTokenizer(GOLDEN_IDS.vqTokenizer, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      expect(tok.mode).toBe('vq');
      const images = await goldenImages();
      const ids = await tok.encode(images);
      expect(ids.dims).toEqual([2, 1, 16]);
      const again = await tok.encode(images);
      expect(Array.from(again.data as BigInt64Array)).toEqual(Array.from(ids.data as BigInt64Array));
      const a = await tok.decode(ids, ['a photo of a cat', 'a photo of a cat']);
      const b = await tok.decode(ids, ['a diagram', 'a diagram']);
      expect(a[0]).toMatchObject({ width: tok.imageSize, height: tok.imageSize });
      expect(Array.from(a[0].data)).not.toEqual(Array.from(b[0].data));
      const rec = await tok.reconstruct(images, ['', '']);
      expect(rec).toHaveLength(2);
      await expectMaskgenError(tok.encode([{ ...images[0], width: 31 }]), 'INVALID_IMAGE', /images\[0\]: expected 32×32/);
    } finally {
      await tok.dispose();
    }
  }, 60_000);

  it('samples KL posteriors reproducibly by seed', async () => {
    const tok = await createImageTokenizer(GOLDEN_IDS.klTokenizer, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      const images = await goldenImages();
      const z1 = await tok.encode(images, { seed: 3 });
      const z2 = await tok.encode(images, { seed: 3 });
      const z3 = await tok.encode(images, { seed: 4 });
      expect(z1.dims).toEqual([2, 4, 1, 8]);
      expect(Array.from(z1.data as Float32Array)).toEqual(Array.from(z2.data as Float32Array));
      expect(Array.from(z1.data as Float32Array)).not.toEqual(Array.from(z3.data as Float32Array));
      expect((await tok.decode(z1, ['x', 'y']))[1].width).toBe(32);
    } finally {
      await tok.dispose();
    }
  }, 60_000);

  it('refuses a generator id', async () => {
    await expectMaskgenError(
      createImageTokenizer(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime(), source }),
      'UNKNOWN_MODEL',
      /is a generator, not a TA-TiTok tokenizer/,
    );
  });
});
