import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CaseFolder, openCaseFiles } from './case-files.js';
import { nodeCaseFiles } from './node-files.js';

export type { CaseFiles, CaseFolder, DrawRecord } from './case-files.js';

/**
 * Node's side of the golden case reader (`case-files.ts`): where the goldens are and opening a case
 * folder by path. The packages' tests import this file by relative path: `@maskgen/golden` depends on
 * the model packages, so a package dependency back onto it would be a cycle.
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

/** Opens the golden case `name` under GOLDEN_DIR; fails when it is missing (see `goldenCase`). */
export function openGoldenCase(name: string): Promise<CaseFolder> {
  return openCaseFolder(goldenCase(name));
}

/** Opens a case folder by path. */
export function openCaseFolder(path: string): Promise<CaseFolder> {
  return openCaseFiles(nodeCaseFiles(path));
}
