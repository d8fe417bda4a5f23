import { MaskgenError, type RecordedDraw, ReplayRng, SafetensorsFile } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one reader of the golden case format, used by the runner (`pnpm golden`) and by the packages'
 * tests. Tests import this file by relative path: `@maskgen/golden` depends on the model packages, so
 * a package dependency back onto it would be a cycle.
 */

/** `$MASKGEN_GOLDEN`, else `../shared/golden` beside the repository. */
export const GOLDEN_DIR = resolve(process.env.MASKGEN_GOLDEN ?? fileURLToPath(new URL('../../../../shared/golden', import.meta.url)));

/**
 * A case folder of the goldens, for tests that need it. The policy is one: a test that needs the
 * goldens fails when they are missing (it is never skipped), naming where they were expected.
 */
export function goldenCase(name: string): string {
  const dir = join(GOLDEN_DIR, name);
  if (!existsSync(join(dir, 'case.json'))) {
    throw new Error(`golden case ${name} is missing: expected ${join(dir, 'case.json')} (set MASKGEN_GOLDEN to the golden folder)`);
  }
  return dir;
}

/** One recorded random draw of a sampling call: its kind, shape and io tensor. */
export interface DrawRecord {
  kind: string;
  shape: number[];
  tensor: string;
}

/** An open case folder: case.json, config.json, io/weights/trace safetensors and helpers over them. */
export interface CaseFolder {
  readonly dir: string;
  readonly caseJson: Record<string, any>;
  /** config.json, when the folder has one. */
  readonly config: Record<string, any> | undefined;
  readonly io: SafetensorsFile;
  /** weights.safetensors, when present. */
  readonly weights: SafetensorsFile | undefined;
  /** trace.safetensors (intermediate values), opened on first use. */
  trace(): Promise<SafetensorsFile>;
  /** A float64 io tensor at full precision (SafetensorsFile.read narrows F64 to float32). */
  f64(ioName: string): Promise<Float64Array>;
  /** A ReplayRng over recorded draws (a call's `draws`, or a slice of them). */
  replay(draws: readonly DrawRecord[]): Promise<ReplayRng>;
  /** Files relative to the folder (e2e cases reach their `uses` siblings with '../'). */
  readJson(rel: string): Promise<any>;
  openSafetensors(rel: string): Promise<SafetensorsFile>;
}

/** Opens the golden case `name` under GOLDEN_DIR; fails when it is missing (see `goldenCase`). */
export function openGoldenCase(name: string): Promise<CaseFolder> {
  return openCaseFolder(goldenCase(name));
}

/** Opens a case folder by path. */
export async function openCaseFolder(path: string): Promise<CaseFolder> {
  const dir = resolve(path);
  const readJson = async (rel: string) => JSON.parse(await readFile(join(dir, rel), 'utf8'));
  const openSafetensors = async (rel: string) => SafetensorsFile.open(await nodeFile(join(dir, rel)));
  const optional = <T>(p: Promise<T>) =>
    p.catch((e) => {
      if ((e as MaskgenError).code === 'NOT_FOUND' || (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    });
  const [caseJson, config, io, weights] = await Promise.all([readJson('case.json'), optional(readJson('config.json')), openSafetensors('io.safetensors'), optional(openSafetensors('weights.safetensors'))]);
  let trace: Promise<SafetensorsFile> | undefined;
  return {
    dir,
    caseJson,
    config,
    io,
    weights,
    trace: () => (trace ??= openSafetensors('trace.safetensors')),
    async f64(ioName) {
      const info = io.info(ioName);
      return new Float64Array((await io.file.read(info.offset, info.byteLength)).slice().buffer);
    },
    async replay(draws) {
      const recorded: RecordedDraw[] = [];
      for (const d of draws) recorded.push({ kind: d.kind, shape: d.shape, tensor: await io.read(d.tensor) });
      return new ReplayRng(recorded);
    },
    readJson,
    openSafetensors,
  };
}
