import { describe, expect, it } from 'vitest';
import type { ChromiumBenchResult } from '../src/browser/bench-page.js';
import { formatChromiumRow, pagePrecision } from '../src/chromium-bench.js';
import { rendererPeakBytes } from '../src/renderer-memory.js';

describe('Chromium bench (no browser started here)', () => {
  it("runs float32 where the checkpoint fits runtime-web's WASM limit, int8 where it does not, and the e2e image in int8", () => {
    expect(pagePrecision('clip')).toBe('float32');
    expect(pagePrecision('tatitok-bl128-vq')).toBe('float32');
    expect(pagePrecision('maskgen-vq-l')).toBe('int8');
    expect(pagePrecision('e2e-vq-l')).toBe('int8');
  });

  it('reports time, the share of the page’s own MatMul ceiling and the renderer’s peak memory', () => {
    const r: ChromiumBenchResult = {
      key: 'maskgen-vq-l',
      name: 'maskgen-vq-l forward (CFG batch 2)',
      precision: 'int8',
      flops: 175e9,
      buildMs: 30_000,
      firstRunMs: 6000,
      runsMs: [5000, 4000, 4500],
      medianMs: 4500,
      ceilingGflops: 50,
      ceilingByShape: {},
      threads: 2,
      crossOriginIsolated: true,
    };
    const line = formatChromiumRow(r, 1.5 * 1024 ** 3);
    expect(line).toContain('int8: median 4.50 s of [5.00, 4.00, 4.50]');
    expect(line).toContain('38.9 GFLOP/s = 78% of the page');
    expect(line).toContain('renderer peak 1.50 GiB');
    expect(formatChromiumRow({ ...r, parts: { clip: 100, generator: 2000 } }, 0)).toContain('last run: clip 0.10 s, generator 2.00 s');
  });

  it('finds no renderer for a profile no browser uses', () => {
    expect(rendererPeakBytes('/nonexistent/profile')).toBe(0);
  });
});
