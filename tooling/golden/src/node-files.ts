import { nodeFile } from '@maskgen/runtime-node';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CaseFiles } from './case-files.js';

/** A case folder on the local disk. */
export function nodeCaseFiles(dir: string): CaseFiles {
  const abs = resolve(dir);
  return { dir: abs, open: (rel) => nodeFile(join(abs, rel)), readText: (rel) => readFile(join(abs, rel), 'utf8') };
}
