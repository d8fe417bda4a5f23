import { type Runtime, isMaskgenError } from '@maskgen/core';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { runners } from './cases/index.js';
import { type FormatVariant, discoverFormats, withCheckpointFile } from './checkpoint-formats.js';
import { createContext } from './context.js';
import type { CallResult, CaseRunner } from './types.js';

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

/** Exact case name, else the longest registered name it starts with (e.g. maskgen_kl_steps100 → maskgen_kl). */
function pickRunner(name: string): CaseRunner | undefined {
  if (runners[name]) return runners[name];
  const key = Object.keys(runners)
    .filter((k) => name.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return key ? runners[key] : undefined;
}

/** Names of the calls a case declares, for reporting cases that cannot run. */
function declaredCalls(caseJson: Record<string, any>): string[] {
  const calls: any[] = Array.isArray(caseJson.calls) ? caseJson.calls : [];
  return calls.length ? calls.map((c, i) => String(c.name ?? c.fn ?? `call${i}`)) : ['case'];
}

async function runtimes(): Promise<{ name: string; make: () => Promise<Runtime> }[]> {
  return [
    { name: 'node', make: async () => (await import('@maskgen/runtime-node')).nodeRuntime() },
    { name: 'web-wasm', make: async () => (await import('@maskgen/runtime-web')).webRuntime({ device: 'wasm' }) },
  ];
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toExponential(2) : String(n);
}

async function main(): Promise<number> {
  const arg = process.argv[2];
  if (!arg) {
    console.error('usage: pnpm golden <dir>   (a folder of golden case folders, or one case folder)');
    return 2;
  }
  const root = resolve(process.cwd(), process.env.INIT_CWD && !arg.startsWith('/') ? join(process.env.INIT_CWD, arg) : arg);
  const only = process.env.GOLDEN_RUNTIMES?.split(',');
  const dirs = await discover(root).catch((e) => {
    console.error(`cannot read ${root}: ${(e as Error).message}`);
    return undefined;
  });
  if (!dirs) return 2;
  const cases: (FormatVariant | { dir: string; label?: undefined; file?: undefined })[] = [...dirs.map((dir) => ({ dir })), ...(await discoverFormats(root))];
  if (cases.length === 0) {
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
  for (const rt of await runtimes()) {
    if (only && !only.includes(rt.name)) continue;
    let runtime: Runtime;
    try {
      runtime = await rt.make();
    } catch (e) {
      console.log(`FAIL runtime ${rt.name} cannot start: ${(e as Error).message}`);
      failed++;
      continue;
    }
    for (const item of cases) {
      const dir = item.dir;
      let caseJson: Record<string, any> = {};
      const label = item.label ?? basename(dir);
      try {
        caseJson = JSON.parse(await readFile(join(dir, 'case.json'), 'utf8'));
        const name = String(caseJson.case ?? label);
        const runner = pickRunner(name) ?? pickRunner(basename(dir));
        if (!runner) {
          for (const c of declaredCalls(caseJson)) report(label, rt.name, { call: c, pass: false, maxAbs: NaN, maxRel: NaN, note: `unknown case kind ${name}` });
          continue;
        }
        const base = await createContext(dir, runtime);
        const ctx = item.file ? await withCheckpointFile(base, item as FormatVariant, runtime) : base;
        await checkIoReadable(ctx);
        const results = await runner(ctx);
        if (results.length === 0) report(label, rt.name, { call: 'case', pass: false, maxAbs: NaN, maxRel: NaN, note: 'runner returned no results' });
        for (const r of results) report(label, rt.name, r);
      } catch (e) {
        const msg = isMaskgenError(e, 'NOT_IMPLEMENTED') ? 'not implemented' : `${(e as Error).message}`;
        for (const c of declaredCalls(caseJson)) report(label, rt.name, { call: c, pass: false, maxAbs: NaN, maxRel: NaN, note: msg });
        if (process.env.GOLDEN_DEBUG && !isMaskgenError(e, 'NOT_IMPLEMENTED')) console.error(e);
      }
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

/** Every io tensor must be readable and every weight tensor header valid, or the case cannot be trusted. */
async function checkIoReadable(ctx: Awaited<ReturnType<typeof createContext>>): Promise<void> {
  for (const name of ctx.io.tensors.keys()) await ctx.io.read(name);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
