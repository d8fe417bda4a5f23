import { GOLDEN_IDS } from '@maskgen/mock-hub';
import { nodeRuntime } from '@maskgen/runtime-node';
import { webRuntime } from '@maskgen/runtime-web';
import { expectMaskgenError } from '@maskgen/test-utils';
import { describe, expect, it } from 'vitest';
import { createTextToImage } from '../src/index.js';
import { expectGoldenE2eVq, recordedDraws, useGoldenHub } from './hub-fixture.js';

const { source } = useGoldenHub();

describe('createTextToImage against the mock hub (the path a user takes with the real repos)', () => {
  for (const [name, make] of [
    ['runtime-node', () => nodeRuntime({ threads: 1 })],
    ['runtime-web', () => webRuntime({ device: 'wasm', threads: 1 })],
  ] as const) {
    it(`reproduces the golden e2e_vq images with replayed draws on ${name}`, async () => {
      const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: make(), source, clipActivation: 'quick-gelu' });
      try {
        await expectGoldenE2eVq(t2i);
      } finally {
        await t2i.dispose();
      }
    }, 60_000);
  }

  for (const [name, make] of [
    ['runtime-node', () => nodeRuntime({ threads: 1 })],
    ['runtime-web', () => webRuntime({ device: 'wasm', threads: 1 })],
  ] as const) {
    it(`with int8 weights stays close to the golden float32 e2e_vq result on ${name} (the documented int8 budget)`, async () => {
      const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: make(), source, clipActivation: 'quick-gelu', precision: 'int8' });
      try {
        const { call, io, rng } = await recordedDraws();
        const out = await t2i.generate(call.captions, {
          rng,
          steps: call.kwargs.num_sample_steps,
          guidance: call.kwargs.guidance_scale,
          temperature: call.kwargs.randomize_temperature,
        });
        const ids = Array.from((await io.read('generate.ids')).data as BigInt64Array);
        const same = Array.from(out.tokens.data as BigInt64Array).filter((v, i) => v === ids[i]).length;
        // Measured: every token equal and 42–45 dB; the budget leaves room for a flipped decision or two.
        expect(same / ids.length).toBeGreaterThanOrEqual(0.75);
        const expected = (await io.read('image_uint8')).data as Uint8Array;
        const [h, w] = [out.images[0].height, out.images[0].width];
        let total = 0;
        out.images.forEach((img, b) => {
          let se = 0;
          for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) se += (img.data[i * 4 + c] - expected[(b * w * h + i) * 3 + c]) ** 2;
          const psnr = 10 * Math.log10(255 ** 2 / Math.max(se / (w * h * 3), 1e-12));
          expect(psnr).toBeGreaterThan(same === ids.length ? 35 : 15);
          total += se;
        });
        // int8 really ran: the pixels are not the float32 ones.
        expect(total).toBeGreaterThan(0);
      } finally {
        await t2i.dispose();
      }
    }, 60_000);
  }

  it('is deterministic for a seed and reports progress per step', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      const steps: number[] = [];
      const previews: number[] = [];
      const a = await t2i.generate('a tiny robot', {
        seed: 11,
        steps: 4,
        onProgress: (e) => e.phase === 'sample' && steps.push(e.step),
        onPreview: (p) => previews.push(p.step),
      });
      const b = await t2i.generate('a tiny robot', { seed: 11, steps: 4 });
      const c = await t2i.generate('a tiny robot', { seed: 12, steps: 4 });
      expect(Array.from(a.images[0].data)).toEqual(Array.from(b.images[0].data));
      expect(Array.from(a.tokens.data as BigInt64Array)).not.toEqual(Array.from(c.tokens.data as BigInt64Array));
      expect(steps).toEqual([1, 2, 3, 4]);
      expect(previews).toEqual([1, 2, 3, 4]);
      expect(a.seed).toBe(11);
      expect(a.settings.steps).toBe(4);
    } finally {
      await t2i.dispose();
    }
  }, 60_000);

  it('checks prompts and settings before any work, naming the argument', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      const bad = (p: unknown, o: object, re: RegExp) => expectMaskgenError(t2i.generate(p as string, o), 'INVALID_ARGUMENT', re);
      await bad([], {}, /prompts/);
      await bad([42], {}, /prompts\[0\]/);
      await bad('x'.repeat(20_000), {}, /exceeds the limit/);
      await bad('ok', { steps: 0 }, /steps/);
      await bad('ok', { numImages: 1000 }, /numImages/);
      await bad('ok', { guidance: Number.NaN }, /guidance/);
      await bad('ok', { seed: -3 }, /seed/);
    } finally {
      await t2i.dispose();
    }
  }, 60_000);

  it('honours an aborted signal between steps', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      const ac = new AbortController();
      await expectMaskgenError(
        t2i.generate('x', { seed: 1, steps: 8, signal: ac.signal, onProgress: (p) => p.phase === 'sample' && p.step === 2 && ac.abort() }),
        'ABORTED',
      );
    } finally {
      await t2i.dispose();
    }
  }, 60_000);

  it('rejects unknown repos and non-generator repos with clear errors', async () => {
    await expectMaskgenError(createTextToImage('turkeyju/no_such_model', { runtime: nodeRuntime(), source }), 'NOT_FOUND');
    await expectMaskgenError(createTextToImage(GOLDEN_IDS.vqTokenizer, { runtime: nodeRuntime(), source }), 'UNKNOWN_MODEL', /not a text-to-image generator/);
  });
});

describe('token-space editing', () => {
  it('keeps the chosen tokens of an image and regenerates the rest under a prompt', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      const base = await t2i.generate('a red barn', { seed: 3, steps: 4 });
      const img = { ...base.images[0], channels: 4 as const };
      const keep = [0, 1, 2, 3, 4, 5, 6, 7];
      const edited = await t2i.edit(img, 'a blue barn at night', { keep, seed: 9, steps: 4 });
      const { createImageTokenizer } = await import('../src/index.js');
      const tok = await createImageTokenizer('turkeyju/tokenizer_tatitok_bl128_vq', { runtime: nodeRuntime({ threads: 1 }), source });
      const original = Array.from((await tok.encode([img])).data as BigInt64Array, Number);
      await tok.dispose();
      const out = Array.from(edited.tokens.data as BigInt64Array, Number);
      for (const k of keep) expect(out[k]).toBe(original[k]);
      expect(out.slice(8)).not.toEqual(original.slice(8));
      await expectMaskgenError(t2i.edit(img, 'x', { keep: [99] }), 'INVALID_ARGUMENT', /keep: token indices must be integers in \[0, 16\), got 99/);
    } finally {
      await t2i.dispose();
    }
  }, 60_000);
});
