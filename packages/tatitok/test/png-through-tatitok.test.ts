import { SafetensorsFile } from '@maskgen/core';
import { decodePng } from '@maskgen/image';
import { nodeFile, nodeRuntime } from '@maskgen/runtime-node';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tatitok, imageToTensor, resizeAndCenterCrop, toUint8Images } from '../src/index.js';

const GOLDEN = resolve(__dirname, '../../../../shared/golden');

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
