import type { Runtime } from '@maskgen/core';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { type FormatVariant, discoverFormats, withCheckpointFile } from './checkpoint-formats.js';
import { nodeCaseFiles } from './node-files.js';
import { runCase } from './run-case.js';
import type { CallResult } from './types.js';
import { type CaseDriver, startBrowserDriver } from './web-webgpu.js';

/** Finds case folders (those holding a case.json) at `dir` or one level below. */
async function discover(dir: string): Promise<string[]> {
  const has = async (p: string) => (await stat(join(p, 'case.json')).catch(() => undefined))?.isFile() ?? false;
  if (await has(dir)) return [dir];
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory() && (await has(join(dir, e.name)))) out.push(join(dir, e.name));
  }
  return out;
}

/** A driver that can also run `checkpoint_formats/` single files (they are loaded from disk, so in Node). */
type Driver = CaseDriver & { runFormat?(v: FormatVariant): Promise<CallResult[]> };

/** Cases run in this process on a runtime built here. */
async function inProcess(make: () => Promise<Runtime>, describe: string): Promise<Driver> {
  const runtime = await make();
  const debug = process.env.GOLDEN_DEBUG ? (e: unknown) => console.error(e) : undefined;
  return {
    describe,
    runCase: (dir, label) => runCase(nodeCaseFiles(dir), runtime, label, debug),
    runFormat: (v) => runCase(nodeCaseFiles(v.dir), runtime, basename(v.dir), debug, (ctx) => withCheckpointFile(ctx, v, runtime)),
    close: async () => undefined,
  };
}

/** Every runtime the runner knows, by its `--runtime` name; the default set runs without a browser. */
const RUNTIMES: Record<string, (dirs: string[]) => Promise<Driver>> = {
  node: () => inProcess(async () => (await import('@maskgen/runtime-node')).nodeRuntime(), 'onnxruntime-node (CPU) in Node'),
  'web-wasm': () => inProcess(async () => (await import('@maskgen/runtime-web')).webRuntime({ device: 'wasm' }), 'onnxruntime-web (wasm) in Node'),
  'web-webgpu': (dirs) => startBrowserDriver(dirs, 'webgpu'),
};
const DEFAULT_RUNTIMES = ['node', 'web-wasm'];

const USAGE = `usage: pnpm golden <dir> [--runtime ${Object.keys(RUNTIMES).join(',')}]
  <dir>       a folder of golden case folders (and checkpoint_formats/), or one case folder
  --runtime   comma list of runtimes (default ${DEFAULT_RUNTIMES.join(',')}; $GOLDEN_RUNTIMES also sets it);
              web-webgpu runs every case in headless Chromium ($CHROMIUM_PATH) on WebGPU`;

/** `<dir> [--runtime a,b]` (also `--runtime=a,b`); an error message for anything else. */
export function parseArgs(argv: string[]): { dir: string; runtimes: string[] } | string {
  let dir: string | undefined;
  let list: string | undefined = process.env.GOLDEN_RUNTIMES;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runtime' || a === '--runtimes') list = argv[++i];
    else if (a.startsWith('--runtime=')) list = a.slice('--runtime='.length);
    else if (a === '--help' || a === '-h') return USAGE;
    else if (a.startsWith('-')) return `unknown option ${JSON.stringify(a)}\n${USAGE}`;
    else if (dir === undefined) dir = a;
    else return `unexpected argument ${JSON.stringify(a)}: one folder only\n${USAGE}`;
  }
  if (!dir) return USAGE;
  if (list === undefined) return { dir, runtimes: DEFAULT_RUNTIMES };
  const runtimes = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = runtimes.filter((r) => !(r in RUNTIMES));
  if (!runtimes.length || bad.length)
    return `--runtime ${JSON.stringify(list)}: unknown ${bad.map((b) => JSON.stringify(b)).join(', ') || 'empty list'}; allowed: ${Object.keys(RUNTIMES).join(', ')}\n${USAGE}`;
  return { dir, runtimes };
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toExponential(2) : String(n);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(args);
    return 2;
  }
  const arg = args.dir;
  const root = resolve(process.cwd(), process.env.INIT_CWD && !arg.startsWith('/') ? join(process.env.INIT_CWD, arg) : arg);
  const dirs = await discover(root).catch((e) => {
    console.error(`cannot read ${root}: ${(e as Error).message}`);
    return undefined;
  });
  if (!dirs) return 2;
  const formats = await discoverFormats(root);
  if (dirs.length === 0 && formats.length === 0) {
    console.error(`no case folders (with case.json) found in ${root}`);
    return 2;
  }
  let passed = 0;
  let failed = 0;
  const report = (caseName: string, rt: string, r: CallResult) => {
    if (r.pass) passed++;
    else failed++;
    const note = r.note ? `  (${r.note})` : '';
    console.log(`${r.pass ? 'PASS' : 'FAIL'} ${caseName} :: ${r.call} [${rt}] max_abs=${fmt(r.maxAbs)} max_rel=${fmt(r.maxRel)}${note}`);
  };
  for (const rt of args.runtimes) {
    let driver: Driver;
    try {
      driver = await RUNTIMES[rt](dirs);
    } catch (e) {
      console.log(`FAIL runtime ${rt} cannot start: ${(e as Error).message}`);
      failed++;
      continue;
    }
    console.log(`# [${rt}] ${driver.describe}`);
    try {
      for (const dir of dirs) for (const r of await driver.runCase(dir, basename(dir))) report(basename(dir), rt, r);
      if (formats.length && !driver.runFormat) console.log(`# [${rt}] checkpoint_formats/*.bin run on the in-process runtimes only`);
      for (const v of driver.runFormat ? formats : []) for (const r of await driver.runFormat!(v)) report(v.label, rt, r);
    } finally {
      await driver.close();
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
