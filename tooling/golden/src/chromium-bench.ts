import { mkdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WASM_WEIGHT_LIMIT } from '@maskgen/runtime-web';
import { clipTextShapes, maskgenVqShapes, paramCount, tatitokShapes, writeRandomCheckpoint } from '../../../apps/cli/src/bench/random-checkpoints.js';
import type { BenchPage, ChromiumBenchKey, ChromiumBenchResult } from './browser/bench-page.js';
import { launchWebGpuChromium } from './chromium.js';
import { startPageServer } from './page-server.js';
import { rendererPeakBytes } from './renderer-memory.js';

declare const maskgenBench: BenchPage;

/** The random checkpoints the page reads, in `maskgen bench --save-weights` folders (shareable with it). */
const LAYOUTS = {
  clip: () => ({ folder: 'clip', shapes: clipTextShapes(), config: undefined as object | undefined }),
  tatitok: () => ({ folder: 'tatitok_bl128_vq', ...tatitokShapes({ enc: 'base', dec: 'large', tokens: 128, mode: 'vq' }) }),
  generator: () => ({ folder: 'maskgen_vq_l', ...maskgenVqShapes(1024, 16, 16) }),
};
const NEEDS: Record<ChromiumBenchKey, (keyof typeof LAYOUTS)[]> = {
  clip: ['clip'],
  'tatitok-bl128-vq': ['tatitok'],
  'maskgen-vq-l': ['generator'],
  'e2e-vq-l': ['clip', 'tatitok', 'generator'],
};

/** float32 where every checkpoint fits runtime-web's WASM weight limit, int8 otherwise; the end-to-end image runs int8 (as the demo does with VQ-L). */
export function pagePrecision(key: ChromiumBenchKey): 'float32' | 'int8' {
  if (key === 'e2e-vq-l') return 'int8';
  return NEEDS[key].some((k) => paramCount(LAYOUTS[k]().shapes) * 4 > DEFAULT_WASM_WEIGHT_LIMIT) ? 'int8' : 'float32';
}

const GiB = 1024 ** 3;

/** One report line: time, GFLOP/s as a share of the page's own MatMul ceiling, and the renderer's peak memory. */
export function formatChromiumRow(r: ChromiumBenchResult, peakBytes: number): string {
  const gflops = r.flops / r.medianMs / 1e6;
  const parts = r.parts
    ? `; last run: ${Object.entries(r.parts)
        .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(2)} s`)
        .join(', ')}`
    : '';
  return (
    `${r.name}, ${r.precision}: median ${(r.medianMs / 1000).toFixed(2)} s of [${r.runsMs.map((x) => (x / 1000).toFixed(2)).join(', ')}], ` +
    `${gflops.toFixed(1)} GFLOP/s = ${((100 * gflops) / r.ceilingGflops).toFixed(0)}% of the page's ${r.ceilingGflops.toFixed(1)} GFLOP/s MatMul ceiling; ` +
    `build ${(r.buildMs / 1000).toFixed(1)} s, first run ${(r.firstRunMs / 1000).toFixed(1)} s; renderer peak ${(peakBytes / GiB).toFixed(2)} GiB${parts}`
  );
}

/**
 * `pnpm -F @maskgen/golden bench-chromium [--models k,…] [--runs N] [--threads N] [--steps N] [--dir DIR] [--json]`:
 * times real-size components with random weights inside headless Chromium (cross-origin isolated, so
 * onnxruntime-web runs WASM threads), each in a fresh browser, against onnxruntime-web's own float32
 * MatMul measured in the same page right after; records the renderer's peak memory. Minutes and GBs:
 * not part of `pnpm test`.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string' },
      dir: { type: 'string' },
      runs: { type: 'string' },
      threads: { type: 'string' },
      steps: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const keys = (values.models?.split(',') ?? Object.keys(NEEDS)) as ChromiumBenchKey[];
  const bad = keys.filter((k) => !(k in NEEDS));
  const int = (name: string, v: string | undefined, dflt: number) => {
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected an integer ≥ 1, got ${JSON.stringify(v)}`);
    return n;
  };
  if (bad.length) {
    console.error(`--models: unknown ${bad.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${Object.keys(NEEDS).join(', ')}`);
    return 2;
  }
  const [runs, threads, steps] = [int('runs', values.runs, 3), int('threads', values.threads, 2), int('steps', values.steps, 16)];
  const dir = values.dir ? resolve(values.dir) : mkdtempSync(join(tmpdir(), 'maskgen-bench-chromium-'));
  mkdirSync(dir, { recursive: true });
  const server = await startPageServer([dir], 'bench-page');
  const out: (ChromiumBenchResult & { rendererPeakBytes: number })[] = [];
  const say = (s: string) => (values.json ? process.stderr : process.stdout).write(`${s}\n`);
  let failed = 0;
  try {
    for (const key of keys) {
      const folders: Record<string, string> = {};
      for (const k of NEEDS[key]) {
        const l = LAYOUTS[k]();
        writeRandomCheckpoint(join(dir, l.folder), l.shapes, l.config);
        folders[k] = server.urlOf(join(dir, l.folder));
      }
      // A fresh browser per component: its renderer's peak memory is the component's own.
      const b = await launchWebGpuChromium();
      try {
        await b.page.goto(`${server.origin}/`);
        await b.page.waitForFunction(() => 'maskgenBench' in globalThis, undefined, { timeout: 60_000 });
        const r = await b.page.evaluate(([k, f, o]) => maskgenBench.run(k, f, o), [
          key,
          folders,
          { precision: pagePrecision(key), runs: key === 'e2e-vq-l' ? 1 : runs, threads, steps },
        ] as const);
        if (!r.crossOriginIsolated) throw new Error('the page is not cross-origin isolated: onnxruntime-web ran without threads');
        const peak = rendererPeakBytes(b.profile);
        out.push({ ...r, rendererPeakBytes: peak });
        say(formatChromiumRow(r, peak));
      } catch (e) {
        failed++;
        say(`FAIL ${key}: ${(e as Error).message.split('\n')[0]} (console: ${b.logs.slice(-3).join(' | ')})`);
      } finally {
        await b.close();
      }
    }
  } finally {
    await server.close();
    if (!values.dir) rmSync(dir, { recursive: true, force: true });
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ runtime: 'onnxruntime-web in headless Chromium (wasm)', threads, steps, components: out })}\n`);
  return failed ? 1 : 0;
}

if (process.argv[1]?.endsWith('chromium-bench.js')) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error((e as Error).message);
      process.exit(2);
    },
  );
}
