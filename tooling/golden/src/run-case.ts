import { type Runtime, isMaskgenError } from '@maskgen/core';
import { runners } from './cases/index.js';
import { type CaseFiles, checkIoReadable, createContext } from './context.js';
import type { CallResult, CaseContext, CaseRunner } from './types.js';

/** Exact case name, else the longest registered name it starts with (e.g. maskgen_kl_steps100 → maskgen_kl). */
export function pickRunner(name: string): CaseRunner | undefined {
  if (runners[name]) return runners[name];
  const key = Object.keys(runners)
    .filter((k) => name.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return key ? runners[key] : undefined;
}

/** Names of the calls a case declares, for reporting cases that cannot run. */
export function declaredCalls(caseJson: Record<string, any>): string[] {
  const calls: any[] = Array.isArray(caseJson.calls) ? caseJson.calls : [];
  return calls.length ? calls.map((c, i) => String(c.name ?? c.fn ?? `call${i}`)) : ['case'];
}

/** Every call of a case reported as failed with one note (the case could not run). */
export function failAll(caseJson: Record<string, any>, note: string): CallResult[] {
  return declaredCalls(caseJson).map((call) => ({ call, pass: false, maxAbs: NaN, maxRel: NaN, note }));
}

/**
 * Runs one case folder on one runtime and returns one result per call; never throws: a case that
 * cannot run fails every call it declares with the reason. The same code runs in Node and in the
 * browser page of `web-webgpu`, so both report identically. `prepare` swaps parts of the context
 * (the single-file checkpoints of `checkpoint_formats/` replace weights and config).
 */
export async function runCase(
  files: CaseFiles,
  runtime: Runtime,
  label: string,
  debug?: (e: unknown) => void,
  prepare?: (ctx: CaseContext) => Promise<CaseContext>,
): Promise<CallResult[]> {
  let caseJson: Record<string, any> = {};
  try {
    caseJson = JSON.parse(await files.readText('case.json'));
    const name = String(caseJson.case ?? label);
    const runner = pickRunner(name) ?? pickRunner(label);
    if (!runner) return failAll(caseJson, `unknown case kind ${name}`);
    const base = await createContext(files, runtime);
    const ctx = prepare ? await prepare(base) : base;
    await checkIoReadable(ctx);
    const results = await runner(ctx);
    return results.length ? results : [{ call: 'case', pass: false, maxAbs: NaN, maxRel: NaN, note: 'runner returned no results' }];
  } catch (e) {
    if (!isMaskgenError(e, 'NOT_IMPLEMENTED')) debug?.(e);
    return failAll(caseJson, isMaskgenError(e, 'NOT_IMPLEMENTED') ? 'not implemented' : `${(e as Error)?.message ?? String(e)}`);
  }
}
