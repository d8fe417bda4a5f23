import { type Tensor, toNumbers } from '@maskgen/core';
import { GOLDEN_IDS } from '@maskgen/mock-hub';
import { nodeRuntime } from '@maskgen/runtime-node';
import { imageToTensor } from '@maskgen/tatitok';
import { expectMaskgenError } from '@maskgen/test-utils';
import { describe, expect, it } from 'vitest';
import { loadTatitok } from '../src/image-tokenizer.js';
import { createTextToImage } from '../src/index.js';
import { useGoldenHub } from './hub-fixture.js';

const { source } = useGoldenHub();
const opts = () => ({ runtime: nodeRuntime({ threads: 1 }), source, clipActivation: 'quick-gelu' as const });

describe('token-space editing with MaskGen-KL (golden KL model)', () => {
  it('keeps the given latents bit for bit, regenerates the rest, and with nothing kept equals generate for the seed', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.klGenerator, opts());
    const tok = await loadTatitok(GOLDEN_IDS.klTokenizer, opts());
    try {
      expect(t2i.family).toBe('kl');
      const base = await t2i.generate('a red barn', { seed: 3, steps: 4 });
      const img = { ...base.images[0], channels: 4 as const };
      const enc = await tok.encode(imageToTensor(img));
      if (enc.mode !== 'vae') throw new Error('expected the KL tokenizer');
      const mean = enc.mean.data;
      const [, C, , L] = enc.mean.dims;
      const keep = [0, 2, 5];
      const steps: number[] = [];
      const edited = await t2i.edit(img, 'a blue barn at night', { keep, seed: 9, steps: 4, onProgress: (e) => e.phase === 'sample' && steps.push(e.step) });
      expect(edited.tokens.dims).toEqual([1, C, 1, L]);
      expect(steps).toEqual([1, 2, 3, 4]);
      const out = edited.tokens.data as Float32Array;
      for (let l = 0; l < L; l++) {
        for (let c = 0; c < C; c++) {
          const i = c * L + l;
          if (keep.includes(l)) expect(Object.is(out[i], mean[i]), `kept latent (${c}, ${l})`).toBe(true);
          else expect(out[i], `regenerated latent (${c}, ${l})`).not.toBe(mean[i]);
        }
      }
      expect(edited.images).toHaveLength(1);
      const free = await t2i.edit(img, 'a blue barn at night', { keep: [], seed: 9, steps: 4 });
      const plain = await t2i.generate('a blue barn at night', { seed: 9, steps: 4 });
      expect(Array.from(free.tokens.data as Float32Array)).toEqual(Array.from(plain.tokens.data as Float32Array));
      expect(Array.from(free.images[0].data)).toEqual(Array.from(plain.images[0].data));
      await expectMaskgenError(
        t2i.edit(img, 'x', { keep: [L] }),
        'INVALID_ARGUMENT',
        new RegExp(`keep: token indices must be integers in \\[0, ${L}\\), got ${L}`),
      );
    } finally {
      await Promise.all([t2i.dispose(), tok.dispose()]);
    }
  }, 120_000);
});

describe('token-space editing with MaskGen-VQ (golden VQ model)', () => {
  it('with nothing kept equals generate for the seed', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, opts());
    try {
      const base = await t2i.generate('a red barn', { seed: 3, steps: 4 });
      const free = await t2i.edit({ ...base.images[0], channels: 4 }, 'a tiny robot', { keep: [], seed: 5, steps: 4 });
      const plain = await t2i.generate('a tiny robot', { seed: 5, steps: 4 });
      expect(toNumbers(free.tokens as Tensor)).toEqual(toNumbers(plain.tokens as Tensor));
    } finally {
      await t2i.dispose();
    }
  }, 60_000);
});
