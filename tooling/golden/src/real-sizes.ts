import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WASM_WEIGHT_LIMIT } from '@maskgen/runtime-web';
import {
  type ShapeTable,
  clipTextShapes,
  maskgenKlShapes,
  maskgenVqShapes,
  paramCount,
  tatitokShapes,
  writeRandomCheckpoint,
} from '../../../apps/cli/src/bench/random-checkpoints.js';
import { PROGRESS_PREFIX, type RealSizeKey } from './browser/real-size-check.js';
import { launchWebGpuChromium } from './chromium.js';
import type { GoldenPage } from './browser/page.js';
import { startPageServer } from './page-server.js';

declare const golden: GoldenPage;

/** A layout; `layers` keeps only the first N transformer blocks (every tensor keeps its real shape), for profiling. */
type Layout = (layers?: number) => { shapes: ShapeTable; config?: object };

/** Drops TA-TiTok's transformer blocks from index `layers` on, in both ViT stacks (the block count is read from the weights). */
function firstBlocks(l: { shapes: ShapeTable; config: object }, layers?: number): { shapes: ShapeTable; config: object } {
  if (layers === undefined) return l;
  const keep = Object.entries(l.shapes).filter(([name]) => Number(/\.transformer\.(\d+)\./.exec(name)?.[1] ?? -1) < layers);
  return { shapes: Object.fromEntries(keep), config: l.config };
}

/** The released models' real sizes, as `maskgen bench` builds them (same layouts, same seeded random weights). */
const MODELS: Record<RealSizeKey, { folder: string; layout: Layout }> = {
  clip: { folder: 'clip', layout: () => ({ shapes: clipTextShapes() }) },
  tatitok_bl128_vq: { folder: 'tatitok_bl128_vq', layout: (n) => firstBlocks(tatitokShapes({ enc: 'base', dec: 'large', tokens: 128, mode: 'vq' }), n) },
  maskgen_vq_l: { folder: 'maskgen_vq_l', layout: (n) => maskgenVqShapes(1024, n ?? 16, 16) },
  maskgen_kl_l_mae: { folder: 'maskgen_kl_l', layout: (n) => maskgenKlShapes(1024, n ?? 16, 16, 8, 1024) },
  maskgen_kl_l_diffloss: { folder: 'maskgen_kl_l', layout: (n) => maskgenKlShapes(1024, n ?? 16, 16, 8, 1024) },
};

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

const OPTIONS = {
  models: { type: 'string' },
  dir: { type: 'string' },
  'timeout-min': { type: 'string' },
  results: { type: 'string' },
  layers: { type: 'string' },
  profile: { type: 'boolean' },
  batch: { type: 'string' },
  precision: { type: 'string' },
} as const;

/** A positive number option, or a usage error naming it. */
function positive(name: string, v: string | undefined, fallback: number, integer = false): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw new RangeError(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
  return n;
}

/** The model running now, for the line a Ctrl-C or kill leaves in the results. */
let running: { label: string; started: number; last: string; close(): Promise<void> } | undefined;

/** Runs one model in a fresh browser (one model's weights in memory at a time); resolves to its result line. */
async function runModel(
  server: Awaited<ReturnType<typeof startPageServer>>,
  folder: string,
  key: RealSizeKey,
  precision: 'float32' | 'int8',
  label: string,
  timeoutMs: number,
  o: { batch: number; profile: boolean },
): Promise<{ ok: boolean; line: string }> {
  const started = Date.now();
  const min = () => ((Date.now() - started) / 60_000).toFixed(1);
  let last = 'starting the browser';
  const b = await launchWebGpuChromium();
  running = { label, started, last, close: () => b.close() };
  // Progress lines from the page, live: a SwiftShader run takes many minutes.
  b.page.on('console', (m) => {
    if (!m.text().startsWith(PROGRESS_PREFIX)) return;
    last = m.text().slice(PROGRESS_PREFIX.length + 1);
    if (running) running.last = last;
    console.log(`  ${label} +${min()} min: ${last}`);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await b.page.goto(`${server.origin}/`);
    await b.page.waitForFunction(() => 'golden' in globalThis, undefined, { timeout: 60_000 });
    const call = b.page.evaluate(([u, k, p, opts]) => golden.realSize(u, k, p, 'webgpu', opts), [server.urlOf(folder), key, precision, o] as const);
    call.catch(() => undefined); // after a timeout the browser is closed under it: not an unhandled rejection
    const limit = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const r = await Promise.race([call, limit]);
    if (r === 'timeout') return { ok: false, line: `TIMEOUT ${label}: still running after ${min()} min, stopped (last progress: ${last})` };
    const ok = r.device === 'ok' && r.wasm === 'ok' && r.outputs.length > 0 && r.outputs.every((d) => Number.isFinite(d.maxAbs));
    const errors = [r.device !== 'ok' ? `webgpu: ${r.device}` : '', r.wasm !== 'ok' ? `wasm: ${r.wasm}` : ''].filter(Boolean).join('; ');
    const diff = r.outputs
      .map((d) => `${d.name}: |webgpu - wasm| max_abs=${fmt(d.maxAbs)} max_rel=${fmt(d.maxRel)} (max |wasm| ${fmt(d.wasmMax)}, ${d.elements} values)`)
      .join('; ');
    return { ok, line: `${ok ? 'DONE' : 'FAIL'} ${label}: ${ok ? diff : errors} [${min()} min]` };
  } catch (e) {
    return {
      ok: false,
      line: `FAIL ${label}: browser: ${(e as Error).message.split('\n')[0]} (last progress: ${last}; console: ${b.logs.slice(-3).join(' | ')})`,
    };
  } finally {
    clearTimeout(timer);
    running = undefined;
    await b.close();
  }
}

/**
 * `pnpm -F @maskgen/golden real-sizes [--models k,…] [--dir DIR] [--batch B] [--precision P] [--layers N]
 * [--profile] [--timeout-min M] [--results FILE]`: one call of each real-size model with random weights
 * on WebGPU and on WASM in the same headless Chromium page (SwiftShader's fallback adapter without a GPU),
 * one model at a time, printing the largest difference per output or each device's error.
 * - float32 where the checkpoint fits runtime-web's WASM limit, int8 otherwise (`--precision` forces one).
 * - `--batch` (default 2, the CFG pair the sampler runs) sizes the CLIP, VQ-L and MAE calls (DiffLoss:
 *   32·B rows; the MAE row also runs the DiffLoss step on its z, as the sampler does); bl128 decodes one image.
 * - Each model gets `--timeout-min` (default 120); its result line is appended to `--results` (default
 *   DIR/results.log) as soon as it is known, and Ctrl-C leaves a STOPPED line: a killed run keeps its rows.
 * - `--layers N` keeps the first N transformer blocks (the same ops at the same tensor sizes, a fraction of
 *   the work); `--profile` logs the WebGPU kernels that take the GPU time (ORT's timestamp queries).
 * No timings: a software adapter's speed means nothing (the minutes printed are for planning the next run).
 * Not part of `pnpm test`: many minutes and gigabytes.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: OPTIONS });
  const keys = (values.models?.split(',') ?? Object.keys(MODELS)) as RealSizeKey[];
  const unknown = keys.filter((k) => !(k in MODELS));
  if (unknown.length) {
    console.error(`--models: unknown ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${Object.keys(MODELS).join(', ')}`);
    return 2;
  }
  let timeoutMs: number;
  let layers: number | undefined;
  let batch: number;
  try {
    batch = positive('batch', values.batch, 2, true);
    if (values.precision !== undefined && values.precision !== 'int8' && values.precision !== 'float32') {
      throw new RangeError(`--precision: expected int8 or float32, got ${JSON.stringify(values.precision)}`);
    }
    timeoutMs = positive('timeout-min', values['timeout-min'], 120) * 60_000;
    layers = values.layers === undefined ? undefined : positive('layers', values.layers, 0, true);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const dir = resolve(values.dir ?? join(tmpdir(), 'maskgen-real-sizes'));
  mkdirSync(dir, { recursive: true });
  const results = resolve(values.results ?? join(dir, 'results.log'));
  const server = await startPageServer([dir]);
  // A stopped run still records how far the model got, then closes its browser.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      const r = running;
      if (r)
        appendFileSync(
          results,
          `${new Date().toISOString()} STOPPED ${r.label}: ${sig} after ${((Date.now() - r.started) / 60_000).toFixed(1)} min (last progress: ${r.last})\n`,
        );
      void (r?.close() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  let failed = 0;
  try {
    for (const key of keys) {
      const m = MODELS[key];
      const { shapes, config } = m.layout(layers);
      const folder = join(dir, layers === undefined ? m.folder : `${m.folder}-${layers}-layers`);
      console.log(`${key}: writing/reusing ${folder}`);
      writeRandomCheckpoint(folder, shapes, config);
      const precision =
        values.precision === 'int8' || values.precision === 'float32'
          ? values.precision
          : paramCount(shapes) * 4 > DEFAULT_WASM_WEIGHT_LIMIT
            ? 'int8'
            : 'float32';
      const rows =
        key === 'tatitok_bl128_vq'
          ? 'batch 1'
          : key === 'maskgen_kl_l_diffloss'
            ? `${32 * batch} rows`
            : key === 'maskgen_kl_l_mae'
              ? `batch ${batch} + DiffLoss step on its ${32 * batch} rows`
              : `batch ${batch}`;
      const label = `${key} ${precision} ${rows} (${(paramCount(shapes) / 1e6).toFixed(0)}M params${layers === undefined ? '' : `, first ${layers} layers only`})`;
      const { ok, line } = await runModel(server, folder, key, precision, label, timeoutMs, { batch, profile: values.profile ?? false });
      if (!ok) failed++;
      console.log(line);
      appendFileSync(results, `${new Date().toISOString()} ${line}\n`);
    }
  } finally {
    await server.close();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
