import { ReplayRng, SafetensorsFile, type Tensor } from '@maskgen/core';
import { nodeFile, nodeRuntime } from '@maskgen/runtime-node';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tatitok } from '../src/index.js';

const GOLDEN = resolve(__dirname, '../../../../shared/golden');

async function open(name: string) {
  const weights = await SafetensorsFile.open(await nodeFile(join(GOLDEN, name, 'weights.safetensors')));
  const io = await SafetensorsFile.open(await nodeFile(join(GOLDEN, name, 'io.safetensors')));
  const config = JSON.parse(readFileSync(join(GOLDEN, name, 'config.json'), 'utf8'));
  const tok = await Tatitok.create({ runtime: nodeRuntime({ threads: 1 }), weights, config, encoderHeads: 4, decoderHeads: 4 });
  return { tok, io };
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d = Math.max(d, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return d;
}

describe('Tatitok sessions', () => {
  it('a decode cancelled while its session builds does not poison the next one; prepare() builds up front', async () => {
    const { tok, io } = await open('tatitok_vq');
    try {
      const ac = new AbortController();
      ac.abort();
      const text = await io.read('text_guidance');
      const tokens = await io.read('rand_tokens');
      await expect(tok.decode(tokens, text, { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
      const out = await tok.decode(tokens, text);
      expect(maxAbsDiff(out, await io.read('decoded_rand'))).toBeLessThan(1e-4);
      await tok.prepare({ encoder: true });
      expect(maxAbsDiff(await tok.decode(tokens, text), out)).toBe(0);
    } finally {
      await tok.dispose();
    }
  });
});

describe('Tatitok.reconstruct', () => {
  it('VQ: equals the reference decode of the encoded image (decoded_enc)', async () => {
    const { tok, io } = await open('tatitok_vq');
    try {
      const out = await tok.reconstruct(await io.read('images'), await io.read('text_guidance'));
      expect(maxAbsDiff(out, await io.read('decoded_enc'))).toBeLessThan(1e-4);
    } finally {
      await tok.dispose();
    }
  });

  it('KL: decodes the mean without an rng, and the sample drawn through the rng with one', async () => {
    const { tok, io } = await open('tatitok_vae');
    try {
      const [images, text, noise] = [await io.read('images'), await io.read('text_guidance'), await io.read('sample_noise')];
      const byMean = await tok.reconstruct(images, text);
      expect(maxAbsDiff(byMean, await io.read('decoded_mean'))).toBeLessThan(1e-4);
      const rng = new ReplayRng([{ kind: 'randn', shape: noise.dims, tensor: noise }]);
      const sampled = await tok.reconstruct(images, text, { rng });
      const direct = await tok.decode(await io.read('z_sample'), text);
      expect(maxAbsDiff(sampled, direct)).toBeLessThan(1e-4);
    } finally {
      await tok.dispose();
    }
  });
});
