import { SeededRng, type Tensor, tensor, toFloat32 } from '@maskgen/core';
import { expectMaskgenError } from '@maskgen/test-utils';
import { nodeRuntime } from '@maskgen/runtime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskGenKL } from '../src/index.js';
import { concatBatch } from '../src/batch-rows.js';
import { reverseDiffusion } from '../src/kl/reverse-diffusion.js';
import { openSamplerCase } from './goldens.js';

type KlCase = Awaited<ReturnType<typeof openSamplerCase>>;

function expectClose(actual: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string) {
  expect(actual.length, what).toBe(want.length);
  let worst = -Infinity;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(actual[i] - want[i]) - (atol + rtol * Math.abs(want[i])));
  expect(worst, what).toBeLessThanOrEqual(0);
}

/** Random stand-ins for CLIP encodings of B prompts and of the empty prompt. */
function conditions(B: number, D: number, seed = 3) {
  const r = new SeededRng(seed);
  const t = (dims: number[]) => tensor('float32', dims, r.normal(dims));
  return { condition: t([B, 77, D]), pooled: t([B, 1, D]), uncondCondition: t([1, 77, D]), uncondPooled: t([1, 1, D]) };
}

describe('MaskGen-KL on the maskgen_kl golden checkpoint (runtime-node)', () => {
  let c: KlCase;
  let model: MaskGenKL;
  beforeAll(async () => {
    c = await openSamplerCase('maskgen_kl');
    model = await MaskGenKL.create({ runtime: nodeRuntime({ threads: 1 }), weights: c.weights, config: c.config });
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('reads its shape from config + weights', () => {
    expect(model.spec).toMatchObject({
      dim: 64,
      heads: 4,
      depth: 3,
      seqLen: 8,
      tokenSize: 4,
      mlpWidth: 64,
      mlpBlocks: 2,
      samplingSteps: '10',
      scaleFactor: 0.7525,
    });
    expect(model.spec.defaults).toEqual({ cfg: 3, cfgSchedule: 'linear', numIter: 32, temperature: 1, aestheticScore: 6.5 });
  });

  it("reverse diffusion of every recorded outer step reproduces the reference's latents from its decoder rows and draws", async () => {
    const S = model.schedule.betas.length;
    for (const call of c.samples) {
      let from = call.bsz; // the orders' np_shuffle draws come first
      for (let it = 0; it < call.kwargs.num_iter; it++) {
        const key = `${call.name}.iter${String(it).padStart(2, '0')}`;
        const rng = await c.replay(call.draws.slice(from, from + 1 + S));
        const cfg = toFloat32(await c.trace.read(`${key}.cfg_iter`))[0];
        const z = (await c.trace.read(`${key}.z`)) as Tensor<'float32'>;
        const got = await reverseDiffusion(model, z, { rng, cfg, temperature: call.kwargs.temperature });
        expect(rng.remaining, key).toBe(0);
        expectClose(got, toFloat32(await c.trace.read(`${key}.sampled_token_latent`)), 1e-3, 1e-4, key);
        from += 1 + S;
      }
      expect(from, call.name).toBe(call.draws.length);
    }
  });

  it('gives the same latents whether the modulations of all reverse steps are batched at once or in chunks', async () => {
    const z = (await c.trace.read(`${c.samples[0].name}.iter01.z`)) as Tensor<'float32'>;
    const run = async (modulationBudget?: number) =>
      Array.from(await reverseDiffusion(model, z, { rng: new SeededRng(5), cfg: 2, temperature: 1, modulationBudget }));
    const M = (3 * model.spec.mlpBlocks + 2) * model.spec.mlpWidth;
    const whole = await run();
    for (const steps of [1, 3]) expect(await run(steps * z.dims[0] * M * 4)).toEqual(whole);
  });

  it('runs the MLP split in two (batched modulations, then x) like the whole MLP', async () => {
    const r = new SeededRng(9);
    const [R, C, D] = [5, model.spec.tokenSize, model.spec.dim];
    const x = tensor('float32', [R, C], r.normal([R, C]));
    const z = tensor('float32', [R, D], r.normal([R, D]));
    for (const t of [0, 444, 999]) {
      const whole = await model.mlpForward(x, tensor('int64', [R], new Array(R).fill(t)), z);
      const mods = await model.diffusionModulations(z, tensor('int64', [1], [t]));
      const split = await model.diffusionStep(x, tensor('float32', [R, mods.length / R], mods));
      expectClose(split, whole, 1e-5, 1e-6, `t=${t}`);
    }
  });

  it('is deterministic for a seed, differs across seeds, and reports the latents after every step', async () => {
    const conds = conditions(2, c.config.model.vq_model.text_embed_dim);
    const seen: Tensor<'float32'>[] = [];
    const run = (seed: number, onStep?: (s: number, t: number, l: Tensor<'float32'>) => void) =>
      model.sample({ ...conds, rng: new SeededRng(seed), numIter: 4, onStep });
    const a = await run(21, (step, total, latents) => {
      expect([step, total]).toEqual([seen.length + 1, 4]);
      seen.push(latents);
    });
    const [b, other] = [await run(21), await run(22)];
    expect(a.dims).toEqual([2, 4, 1, 8]);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(Array.from(other.data)).not.toEqual(Array.from(a.data));
    expect(Array.from(seen[3].data)).toEqual(Array.from(a.data));
    // Positions still masked hold zeros; each step fills at least one more per sample.
    const filled = seen.map((l) => Array.from({ length: 8 }, (_, p) => l.data[p] !== 0 || l.data[8 + p] !== 0).filter(Boolean).length);
    for (let s = 1; s < 4; s++) expect(filled[s]).toBeGreaterThan(filled[s - 1]);
    expect(filled[3]).toBe(8);
  });

  it('stops at the next step when aborted, and not at all when already aborted', async () => {
    const conds = conditions(1, c.config.model.vq_model.text_embed_dim);
    const ac = new AbortController();
    let steps = 0;
    await expectMaskgenError(
      model.sample({ ...conds, rng: new SeededRng(1), numIter: 6, signal: ac.signal, onStep: () => ++steps === 2 && ac.abort() }),
      'ABORTED',
    );
    expect(steps).toBe(2);
    const pre = new AbortController();
    pre.abort();
    await expectMaskgenError(model.sample({ ...conds, rng: new SeededRng(1), signal: pre.signal, onStep: () => steps++ }), 'ABORTED');
    expect(steps).toBe(2);
  });

  it('accepts the empty prompt already repeated to the batch, and reports progress per outer step', async () => {
    const conds = conditions(2, c.config.model.vq_model.text_embed_dim);
    const repeated = {
      ...conds,
      uncondCondition: concatBatch([conds.uncondCondition, conds.uncondCondition]),
      uncondPooled: concatBatch([conds.uncondPooled, conds.uncondPooled]),
    };
    const events: unknown[] = [];
    const a = await model.sample({ ...conds, rng: new SeededRng(4), numIter: 3 });
    const b = await model.sample({ ...repeated, rng: new SeededRng(4), numIter: 3, onProgress: (e) => events.push(e) });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(events).toEqual([1, 2, 3].map((step) => ({ phase: 'sample', step, total: 3 })));
  });

  it('rejects bad shapes and settings before drawing anything, naming the option', async () => {
    const conds = conditions(2, c.config.model.vq_model.text_embed_dim);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ pooled: tensor('float32', [1, 1, 64]) }, /pooled: expected \[2, 1, 64\]/],
      [{ condition: tensor('float32', [2, 77, 32]) }, /condition: expected float32 \[B, 77, 64\]/],
      [{ uncondCondition: tensor('float32', [3, 77, 64]) }, /uncondCondition: expected \[1 or 2, 77, 64\]/],
      [{ cfg: Number.NaN }, /cfg: expected a finite number, got NaN/],
      [{ temperature: -1 }, /temperature: expected a number ≥ 0, got -1/],
      [{ cfgSchedule: 'cosine' }, /cfgSchedule: expected "linear" or "constant", got "cosine"/],
    ];
    for (const [override, message] of bad) {
      const rng = new SeededRng(1);
      await expectMaskgenError(model.sample({ ...conds, rng, numIter: 2, ...override } as never), 'INVALID_ARGUMENT', message);
    }
  });

  it('rejects a step count that is not a positive integer, quoting it', async () => {
    const conds = conditions(1, c.config.model.vq_model.text_embed_dim);
    for (const numIter of [0, 2.5, -1]) {
      await expectMaskgenError(model.sample({ ...conds, rng: new SeededRng(1), numIter }), 'INVALID_ARGUMENT', new RegExp(`got ${numIter}$`));
    }
  });
});
