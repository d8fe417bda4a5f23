import { SafetensorsFile, tensor } from '@maskgen/core';
import { nodeFile, nodeRuntime } from '@maskgen/runtime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectMaskgenError } from '@maskgen/test-utils';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR as GOLDEN } from '../../../tooling/golden/src/case-folder.js';
import { Tatitok, imageToTensor, resolveTatitok, toUint8Images } from '../src/index.js';

const load = async (name: string) => ({
  weights: await SafetensorsFile.open(await nodeFile(join(GOLDEN, name, 'weights.safetensors'))),
  config: JSON.parse(readFileSync(join(GOLDEN, name, 'config.json'), 'utf8')),
});

describe('TA-TiTok configuration and inputs', () => {
  it('needs head counts for model sizes outside the reference table, and accepts them from options or config', async () => {
    const { weights, config } = await load('tatitok_vq');
    await expectMaskgenError(() => resolveTatitok(config, weights), 'INVALID_CONFIG', /"tiny_a" is not one of small, base, large/);
    expect(resolveTatitok(config, weights, { encoderHeads: 4, decoderHeads: 4 }).encoder).toMatchObject({ width: 32, layers: 2, heads: 4, patch: 8, grid: 4 });
    const withHeads = structuredClone(config);
    withHeads.model.vq_model.vit_enc_num_heads = 4;
    withHeads.model.vq_model.vit_dec_num_heads = 2;
    expect(resolveTatitok(withHeads, weights).decoder.heads).toBe(2);
  });

  it('names wrong-typed config fields', async () => {
    const { weights, config } = await load('tatitok_vq');
    const bad = structuredClone(config);
    bad.model.vq_model.num_latent_tokens = 'sixteen';
    await expectMaskgenError(
      () => resolveTatitok(bad, weights, { encoderHeads: 4, decoderHeads: 4 }),
      'INVALID_CONFIG',
      /num_latent_tokens: expected an integer in \[1, 4096\], got "sixteen"/,
    );
    const mode = structuredClone(config);
    mode.model.vq_model.quantize_mode = 'fsq';
    await expectMaskgenError(() => resolveTatitok(mode, weights), 'INVALID_CONFIG', /quantize_mode/);
  });

  it('checks every numeric field against its range, and crop_size against the weights, naming both', async () => {
    const { weights, config } = await load('tatitok_vq');
    const heads = { encoderHeads: 4, decoderHeads: 4 };
    for (const [field, value, re] of [
      ['dataset.preprocessing.crop_size', 1e9, /crop_size: expected an integer in \[1, 4096\], got 1000000000/],
      [
        'dataset.preprocessing.crop_size',
        64,
        /crop_size 64 \(patch 8: 8×8 patches\) disagrees with the weights: encoder.positional_embedding has 17 rows, expected 65/,
      ],
      ['model.vq_model.codebook_size', 2 ** 40, /codebook_size: expected an integer in \[1, 1048576\]/],
      ['model.vq_model.vit_enc_patch_size', -8, /vit_enc_patch_size: expected an integer in \[1, 1024\], got -8/],
    ] as const) {
      const bad = structuredClone(config);
      const path = field.split('.');
      path.slice(0, -1).reduce((o, k) => o[k], bad)[path.at(-1)!] = value;
      const code = /disagrees/.test(re.source) ? 'SHAPE_MISMATCH' : 'INVALID_CONFIG';
      await expectMaskgenError(() => resolveTatitok(bad, weights, heads), code, re);
    }
  });

  it('rejects bad tokens, text guidance and images with MaskgenError', async () => {
    const { weights, config } = await load('tatitok_vq');
    const tok = await Tatitok.create({ runtime: nodeRuntime({ threads: 1 }), weights, config, encoderHeads: 4, decoderHeads: 4 });
    try {
      const text = tensor('float32', [1, 77, 64]);
      await expectMaskgenError(tok.decode(tensor('int64', [1, 16], new Array(16).fill(64)), text), 'INVALID_ARGUMENT', /outside the codebook/);
      await expectMaskgenError(tok.decode(tensor('int64', [1, 15]), text), 'INVALID_ARGUMENT', /expected integer ids/);
      await expectMaskgenError(tok.decode(tensor('int64', [1, 16]), tensor('float32', [1, 76, 64])), 'INVALID_ARGUMENT', /textGuidance/);
      await expectMaskgenError(tok.encode(tensor('float32', [1, 3, 31, 32])), 'INVALID_IMAGE', /expected float32 \[B, 3, 32, 32\]/);
      const img = await tok.decode(tensor('int64', [1, 16]), text);
      expect(img.dims).toEqual([1, 3, 32, 32]);
    } finally {
      await tok.dispose();
    }
  });

  it('converts images both ways with the reference quantisation and rejects malformed pixel buffers', async () => {
    const u8 = toUint8Images(tensor('float32', [1, 3, 1, 2], [-0.5, 1, 0.5, 0.999, 2, 0.0039]));
    expect(Array.from(u8.data)).toEqual([0, 127, 255, 255, 254, 0]);
    expect(Array.from(imageToTensor({ width: 1, height: 1, channels: 4, data: new Uint8Array([255, 0, 51, 9]) }).data)).toEqual([1, 0, Math.fround(0.2)]);
    await expectMaskgenError(() => imageToTensor({ width: 0, height: 1, channels: 3, data: new Uint8Array() }), 'INVALID_IMAGE');
    await expectMaskgenError(() => imageToTensor({ width: 1, height: 1, channels: 2 as 3, data: new Uint8Array(2) }), 'INVALID_IMAGE');
    await expectMaskgenError(() => imageToTensor({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }), 'INVALID_IMAGE');
  });
});
