import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WASM_WEIGHT_LIMIT } from '@maskgen/runtime-web';
import { type ShapeTable, clipTextShapes, maskgenKlShapes, maskgenVqShapes, paramCount, tatitokShapes, writeRandomCheckpoint } from '../../../apps/cli/src/bench/random-checkpoints.js';
import type { RealSizeComparison, RealSizeKey } from './browser/real-size-check.js';
import { launchWebGpuChromium } from './chromium.js';
import type { GoldenPage } from './browser/page.js';
import { startPageServer } from './page-server.js';

declare const golden: GoldenPage;

/** The released models' real sizes, as `maskgen bench` builds them (same layouts, same seeded random weights). */
const MODELS: Record<RealSizeKey, { folder: string; layout: () => { shapes: ShapeTable; config?: object } }> = {
  clip: { folder: 'clip', layout: () => ({ shapes: clipTextShapes() }) },
  tatitok_bl128_vq: { folder: 'tatitok_bl128_vq', layout: () => tatitokShapes({ enc: 'base', dec: 'large', tokens: 128, mode: 'vq' }) },
  maskgen_vq_l: { folder: 'maskgen_vq_l', layout: () => maskgenVqShapes(1024, 16, 16) },
  maskgen_kl_l_mae: { folder: 'maskgen_kl_l', layout: () => maskgenKlShapes(1024, 16, 16, 8, 1024) },
  maskgen_kl_l_diffloss: { folder: 'maskgen_kl_l', layout: () => maskgenKlShapes(1024, 16, 16, 8, 1024) },
};

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/**
 * `pnpm -F @maskgen/golden real-sizes [--models k,…] [--dir DIR]`: one call of each real-size model with
 * random weights on WebGPU and on WASM in the same headless Chromium page (SwiftShader's fallback
 * adapter without a GPU), one model at a time, printing the largest difference or each device's error.
 * float32 where the checkpoint fits runtime-web's WASM limit, int8 otherwise. No timings: a software
 * adapter's speed means nothing. Takes many minutes and gigabytes, so it is not part of `pnpm test`.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { models: { type: 'string' }, dir: { type: 'string' } } });
  const keys = (values.models?.split(',') ?? Object.keys(MODELS)) as RealSizeKey[];
  const unknown = keys.filter((k) => !(k in MODELS));
  if (unknown.length) {
    console.error(`--models: unknown ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${Object.keys(MODELS).join(', ')}`);
    return 2;
  }
  const dir = resolve(values.dir ?? join(tmpdir(), 'maskgen-real-sizes'));
  mkdirSync(dir, { recursive: true });
  const server = await startPageServer([dir]);
  let failed = 0;
  try {
    for (const key of keys) {
      const m = MODELS[key];
      const { shapes, config } = m.layout();
      const folder = join(dir, m.folder);
      writeRandomCheckpoint(folder, shapes, config);
      const precision = paramCount(shapes) * 4 > DEFAULT_WASM_WEIGHT_LIMIT ? 'int8' : 'float32';
      // A fresh browser per model: one model's weights at a time in memory.
      const b = await launchWebGpuChromium();
      let r: RealSizeComparison | undefined;
      try {
        await b.page.goto(`${server.origin}/`);
        await b.page.waitForFunction(() => 'golden' in globalThis, undefined, { timeout: 60_000 });
        r = await b.page.evaluate(([u, k, p]) => golden.realSize(u, k, p, 'webgpu'), [server.urlOf(folder), key, precision] as const);
      } catch (e) {
        console.log(`FAIL ${key} ${precision}: browser: ${(e as Error).message.split('\n')[0]} (console: ${b.logs.slice(-3).join(' | ')})`);
        failed++;
        continue;
      } finally {
        await b.close();
      }
      const ok = r.device === 'ok' && r.wasm === 'ok' && Number.isFinite(r.maxAbs);
      if (!ok) failed++;
      const errors = [r.device !== 'ok' ? `webgpu: ${r.device}` : '', r.wasm !== 'ok' ? `wasm: ${r.wasm}` : ''].filter(Boolean).join('; ');
      console.log(
        `${ok ? 'DONE' : 'FAIL'} ${key} ${precision} (${(paramCount(shapes) / 1e6).toFixed(0)}M params): ` +
          (ok ? `|webgpu - wasm| max_abs=${fmt(r.maxAbs)} max_rel=${fmt(r.maxRel)} (max |wasm| ${fmt(r.wasmMax)}, ${r.elements} values)` : errors),
      );
    }
  } finally {
    await server.close();
  }
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
