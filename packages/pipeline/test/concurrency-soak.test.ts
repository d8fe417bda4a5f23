import { type ModelSource, isMaskgenError } from '@maskgen/core';
import { GOLDEN_IDS } from '@maskgen/mock-hub';
import { nodeRuntime } from '@maskgen/runtime-node';
import { describe, expect, it } from 'vitest';
import { createTextToImage } from '../src/index.js';
import { useGoldenHub } from './hub-fixture.js';

const { source } = useGoldenHub();
const checksum = (d: Uint8Array) => d.reduce((s, v) => (s * 31 + v) >>> 0, 7);

describe('concurrency and soak', () => {
  it('runs several generations at once on shared sessions with the same results as one at a time', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      const seeds = [1, 2, 3, 4, 5, 6];
      const sequential = [];
      for (const seed of seeds) sequential.push(checksum((await t2i.generate('a lighthouse', { seed, steps: 3 })).images[0].data));
      const parallel = await Promise.all(seeds.map(async (seed) => checksum((await t2i.generate('a lighthouse', { seed, steps: 3 })).images[0].data)));
      expect(parallel).toEqual(sequential);
      expect(new Set(sequential).size).toBeGreaterThan(1);
    } finally {
      await t2i.dispose();
    }
  }, 120_000);

  it('cancelling one of several concurrent generations leaves the others intact', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      const ac = new AbortController();
      const [a, b] = await Promise.allSettled([
        t2i.generate('x', { seed: 1, steps: 6, signal: ac.signal, onProgress: (e) => e.phase === 'sample' && e.step === 2 && ac.abort() }),
        t2i.generate('x', { seed: 1, steps: 6 }),
      ]);
      expect(a.status).toBe('rejected');
      expect(b.status).toBe('fulfilled');
    } finally {
      await t2i.dispose();
    }
  }, 120_000);

  it('shows no unbounded memory growth over many generations (soak)', async () => {
    const t2i = await createTextToImage(GOLDEN_IDS.vqGenerator, { runtime: nodeRuntime({ threads: 1 }), source });
    try {
      for (let i = 0; i < 10; i++) await t2i.generate('warm-up', { seed: i, steps: 2 });
      const before = process.memoryUsage().rss;
      for (let i = 0; i < 150; i++) await t2i.generate('a soak test prompt', { seed: i, steps: 2 });
      const growth = process.memoryUsage().rss - before;
      console.log(`soak: RSS before ${(before / 2 ** 20).toFixed(0)} MiB, after 150 generations ${((before + growth) / 2 ** 20).toFixed(0)} MiB`);
      // A leak of even one image's tensors per call would exceed this; allocator noise stays well under.
      expect(growth).toBeLessThan(64 * 2 ** 20);
    } finally {
      await t2i.dispose();
    }
  }, 300_000);
});

describe('cancelling while loading', () => {
  const { source } = useGoldenHub();

  it('stops at the first phase boundary after the abort and reports ABORTED', async () => {
    for (const phase of ['download', 'load']) {
      const ac = new AbortController();
      const e = await createTextToImage(GOLDEN_IDS.vqGenerator, {
        runtime: nodeRuntime({ threads: 1 }),
        source: (id) => hubSourceWith(source(id), ac.signal),
        signal: ac.signal,
        onProgress: (p) => p.phase === phase && ac.abort(),
      }).catch((x: unknown) => x);
      expect(isMaskgenError(e, 'ABORTED'), `${phase}: ${String(e)}`).toBe(true);
    }
  }, 60_000);
});

/** The hub source reports progress through the caller's callback only when asked per call; pass the signal along. */
function hubSourceWith(src: ModelSource, signal: AbortSignal): ModelSource {
  return { id: src.id, open: (f, o) => src.open(f, { ...o, signal }), exists: (f, o) => src.exists(f, { ...o, signal }) };
}
