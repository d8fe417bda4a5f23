/** Timing helpers without Node imports, shared by `maskgen bench` and the Chromium bench page. */

/** Median of timings: robust to the noisy shared machine the benchmarks run on. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` after `warmup` untimed calls, `runs` timed calls; returns the median in milliseconds. */
export async function timeIt(fn: () => Promise<unknown>, opts: { warmup?: number; runs?: number } = {}): Promise<{ medianMs: number; runsMs: number[] }> {
  for (let i = 0; i < (opts.warmup ?? 1); i++) await fn();
  const runsMs: number[] = [];
  for (let i = 0; i < (opts.runs ?? 3); i++) {
    const t = performance.now();
    await fn();
    runsMs.push(performance.now() - t);
  }
  return { medianMs: median(runsMs), runsMs };
}
