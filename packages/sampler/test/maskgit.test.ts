import { type Runtime, SeededRng, tensor, toNumbers } from '@maskgen/core';
import { expectMaskgenError } from '@maskgen/test-utils';
import { nodeRuntime } from '@maskgen/runtime-node';
import { webRuntime } from '@maskgen/runtime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUIDANCE_DECAYS, MASK_SCHEDULES, MaskGenVQ } from '../src/index.js';
import { concatBatch } from '../src/batch-rows.js';
import { TINY, tinyConditions, tinyVqCheckpoint } from './tiny-vq.js';

async function tinyModel(runtime: Runtime) {
  const { weights, config } = await tinyVqCheckpoint();
  return MaskGenVQ.create({ runtime, weights, config });
}

describe('MaskGIT sampling on a synthetic checkpoint (no lm_head.weight)', () => {
  let model: MaskGenVQ;
  const conds = tinyConditions(2);
  beforeAll(async () => {
    model = await tinyModel(nodeRuntime({ threads: 1 }));
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('ties the LM head to the first codebook_size embedding rows', async () => {
    expect(model.spec.lmHead).toBe('tied');
    const logits = await model.forward(tensor('int64', [2, TINY.tokens], new Array(2 * TINY.tokens).fill(3)), conds.condition, conds.pooled, [6.5, 6.5]);
    expect(logits.dims).toEqual([2, TINY.tokens, TINY.codebook]);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = (seed: number) => model.generate({ ...conds, rng: new SeededRng(seed), steps: 6 }).then(toNumbers);
    const [a, b, other] = [await run(11), await run(11), await run(12)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(other);
    expect(a.every((v) => Number.isInteger(v) && v >= 0 && v < TINY.codebook)).toBe(true);
  });

  it('gives the same ids on runtime-web as on runtime-node for a seed', async () => {
    const web = await tinyModel(webRuntime({ device: 'wasm', threads: 1 }));
    try {
      const opts = { ...conds, steps: 8, guidanceScale: 4 } as const;
      const [n, w] = [await model.generate({ ...opts, rng: new SeededRng(5) }), await web.generate({ ...opts, rng: new SeededRng(5) })];
      expect(toNumbers(w)).toEqual(toNumbers(n));
    } finally {
      await web.dispose();
    }
  });

  it('reports every step with the current ids, the full prediction and a sample progress event', async () => {
    const seen: { step: number; masked: number; predicted: number[] }[] = [];
    const events: unknown[] = [];
    const ids = await model.generate({
      ...conds,
      rng: new SeededRng(3),
      steps: 5,
      onStep: (step, total, cur, pred) => {
        expect(total).toBe(5);
        seen.push({ step, masked: toNumbers(cur).filter((v) => v === TINY.codebook).length, predicted: toNumbers(pred) });
      },
      onProgress: (e) => events.push(e),
    });
    expect(seen.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < seen.length; i++) expect(seen[i].masked).toBeLessThan(seen[i - 1].masked);
    expect(seen[4].masked).toBe(0);
    expect(seen.every((s) => s.predicted.every((v) => v < TINY.codebook))).toBe(true);
    expect(seen[4].predicted).toEqual(toNumbers(ids));
    expect(events).toEqual([1, 2, 3, 4, 5].map((step) => ({ phase: 'sample', step, total: 5 })));
  });

  it('runs every guidance decay and mask schedule, and the no-CFG path at scale 0', async () => {
    for (const guidanceDecay of GUIDANCE_DECAYS) {
      for (const maskSchedule of MASK_SCHEDULES) {
        const ids = await model.generate({
          ...conds,
          rng: new SeededRng(9),
          steps: 4,
          guidanceDecay,
          maskSchedule,
          guidanceDecayScalePow: 2,
          probSorting: maskSchedule !== 'root',
        });
        expect(toNumbers(ids).every((v) => v >= 0 && v < TINY.codebook)).toBe(true);
      }
    }
    const plain = await model.generate({
      ...conds,
      rng: new SeededRng(9),
      steps: 4,
      guidanceDecay: 'none',
      guidanceScale: 0,
      softmaxTemperatureAnnealing: false,
    });
    expect(plain.dims).toEqual([2, TINY.tokens]);
  });

  it('accepts the empty-prompt encoding as one row or already repeated', async () => {
    const rep = {
      uncondCondition: concatBatch([conds.uncondCondition, conds.uncondCondition]),
      uncondPooled: concatBatch([conds.uncondPooled, conds.uncondPooled]),
    };
    const a = await model.generate({ ...conds, rng: new SeededRng(4), steps: 3 });
    const b = await model.generate({ ...conds, ...rep, rng: new SeededRng(4), steps: 3 });
    expect(toNumbers(b)).toEqual(toNumbers(a));
  });

  it('keeps the given tokens of initialIds and fills only the masked ones', async () => {
    const init = Array.from({ length: 2 * TINY.tokens }, (_, i) => (i % 3 === 0 ? i % TINY.codebook : TINY.codebook));
    const ids = toNumbers(await model.generate({ ...conds, rng: new SeededRng(8), steps: 4, initialIds: tensor('int64', [2, TINY.tokens], init) }));
    init.forEach((v, i) => (v === TINY.codebook ? expect(ids[i]).toBeLessThan(TINY.codebook) : expect(ids[i]).toBe(v)));
  });

  it('stops between steps when the signal aborts', async () => {
    const ac = new AbortController();
    let steps = 0;
    await expectMaskgenError(
      model.generate({ ...conds, rng: new SeededRng(1), steps: 6, signal: ac.signal, onStep: () => ++steps === 2 && ac.abort() }),
      'ABORTED',
    );
    expect(steps).toBe(2);
  });

  it('rejects bad arguments with messages that quote the value', async () => {
    const bad = async (extra: object, re: RegExp) => {
      await expectMaskgenError(model.generate({ ...conds, rng: new SeededRng(1), ...extra }), 'INVALID_ARGUMENT', re);
    };
    await bad({ steps: 0 }, /steps: expected a positive integer, got 0/);
    await bad({ guidanceDecay: 'exp' }, /guidance decay: .*"exp"/);
    await bad({ maskSchedule: 'cubic' }, /mask schedule: .*"cubic"/);
    await bad({ guidanceScale: Number.NaN }, /guidanceScale: expected a finite number, got NaN/);
    await bad({ uncondCondition: tensor('float32', [3, 7, TINY.textDim]) }, /uncondCondition: expected \[1 or 2, 7, 24\].*\[3,7,24\]/);
    await bad({ initialIds: tensor('int64', [2, TINY.tokens], new Array(2 * TINY.tokens).fill(99)) }, /initialIds: ids must lie in \[0, 16\]/);
  });
});
