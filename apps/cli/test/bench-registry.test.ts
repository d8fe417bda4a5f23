import { describe, expect, it } from 'vitest';
import { COMPONENTS, DEFAULT_COMPONENTS, isOnDemand } from '../src/bench/components.js';
import { vqForwardFlops } from '../src/bench/flops.js';
import { generatorSize } from '../src/bench/generator-sizes.js';
import type { ComponentResult } from '../src/bench/isolate.js';
import { formatRow } from '../src/bench/report.js';

// Nothing here builds a session or writes a checkpoint: components are only constructed (names, FLOPs, params).
describe('bench components: XL and batches registered, run only when named', () => {
  it('generator sizes are those of the reference inference configs (maskgen_{vq,kl}_{l,xl}.yaml)', () => {
    expect(generatorSize('vq', 'l')).toMatchObject({ dim: 1024, depth: 16, heads: 16 });
    expect(generatorSize('vq', 'xl')).toMatchObject({ dim: 1280, depth: 20, heads: 16 });
    expect(generatorSize('kl', 'l')).toMatchObject({ dim: 1024, depth: 16, heads: 16, mlpBlocks: 8, mlpWidth: 1024 });
    expect(generatorSize('kl', 'xl')).toMatchObject({ dim: 1280, depth: 20, heads: 16, mlpBlocks: 8, mlpWidth: 1280 });
  });

  it('XL components: forward, generate and end to end for VQ and KL, with XL FLOPs and parameter counts', () => {
    for (const k of ['maskgen-vq-xl', 'maskgen-vq-xl-generate', 'maskgen-kl-xl', 'maskgen-kl-xl-sample', 'e2e-vq-xl', 'e2e-kl-xl'])
      expect(COMPONENTS[k], k).toBeDefined();
    const [l, xl] = [COMPONENTS['maskgen-vq-l'](), COMPONENTS['maskgen-vq-xl']()];
    expect(xl.flops).toBe(vqForwardFlops(1280, 20));
    expect(xl.name).toMatch(/^maskgen-vq-xl forward/);
    // 1280² × 20 against 1024² × 16: the joint blocks grow 1.95×.
    expect(xl.params / l.params).toBeGreaterThan(1.9);
    expect(xl.params / l.params).toBeLessThan(2);
    expect(COMPONENTS['e2e-kl-xl']().name).toContain('maskgen-kl-xl');
    expect(COMPONENTS['maskgen-kl-xl']().params).toBeGreaterThan(COMPONENTS['maskgen-vq-xl']().params);
  });

  it('batch components: B images per call, B times the work of one, same weights', () => {
    for (const [one, many, B] of [
      ['maskgen-vq-l-generate', 'maskgen-vq-l-generate-b4', 4],
      ['maskgen-vq-l-generate', 'maskgen-vq-l-generate-b8', 8],
      ['maskgen-kl-l-sample', 'maskgen-kl-l-sample-b4', 4],
      ['maskgen-kl-l-sample', 'maskgen-kl-l-sample-b8', 8],
    ] as const) {
      const [a, b] = [COMPONENTS[one](), COMPONENTS[many]()];
      expect(b.images).toBe(B);
      expect(b.params).toBe(a.params);
      expect(b.flops / a.flops).toBeCloseTo(B, 10);
    }
    expect(COMPONENTS['maskgen-vq-l-generate']().images).toBe(1);
  });

  it('--steps shortens generate, sample and e2e components; forwards ignore it', () => {
    expect(COMPONENTS['maskgen-vq-l-generate']({ steps: 4 }).flops).toBe(4 * vqForwardFlops(1024, 16));
    expect(COMPONENTS['maskgen-vq-l-generate-b4']({ steps: 4 }).name).toBe('maskgen-vq-l generate (4 steps, CFG, 4 images)');
    expect(COMPONENTS['maskgen-kl-l-sample']({ steps: 8 }).name).toMatch(/\(8 steps × 100 diffusion steps/);
    expect(COMPONENTS['e2e-vq-l']({ steps: 4 }).name).toContain('(4 steps)');
    expect(COMPONENTS['e2e-vq-l']().name).toContain('(16 steps)');
    expect(COMPONENTS['maskgen-vq-l']({ steps: 4 }).flops).toBe(COMPONENTS['maskgen-vq-l']().flops);
  });

  it('the default run is the L models one image at a time', () => {
    expect(DEFAULT_COMPONENTS).toEqual([
      'clip',
      'tatitok-bl128-vq',
      'tatitok-bl32-vae',
      'maskgen-vq-l',
      'maskgen-vq-l-generate',
      'maskgen-kl-l',
      'maskgen-kl-l-sample',
      'e2e-vq-l',
      'e2e-kl-l',
    ]);
    expect(Object.keys(COMPONENTS).filter(isOnDemand)).toHaveLength(Object.keys(COMPONENTS).length - DEFAULT_COMPONENTS.length);
    expect(isOnDemand('maskgen-kl-l-sample-b8') && isOnDemand('e2e-vq-xl') && !isOnDemand('maskgen-vq-l')).toBe(true);
  });
});

describe('bench report', () => {
  const base: ComponentResult = {
    key: 'maskgen-vq-l-generate-b4',
    name: 'maskgen-vq-l generate (16 steps, CFG, 4 images)',
    params: 604e6,
    flops: 4 * 175e9,
    weightBytes: 2 * 1024 ** 3,
    buildMs: 15000,
    firstRunMs: 40000,
    medianMs: 36000,
    runsMs: [36000],
    peakRssBytes: 3 * 1024 ** 3,
    precision: 'float32',
    gemmPeakGflops: 100,
  };

  it('a batch row gives the per-image time; a single-image row does not', () => {
    const text = formatRow({ ...base, images: 4 });
    expect(text).toContain('4 images per call: 9000 ms per image');
    expect(text).toContain('19.4 GFLOP/s = 19% of the 100 GFLOP/s peak');
    expect(text).toContain('peak RSS 3.00 GiB = 1.50× the 2.00 GiB of weights');
    expect(formatRow(base)).not.toContain('per image');
  });
});
