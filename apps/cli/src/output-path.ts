import { MaskgenError } from '@maskgen/core';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { UsageError } from './cli-error.js';

/** What a command will write at a path: a file with one of `extensions`, or a folder (`--prompts` output). */
export interface OutputSpec {
  /** The flag the path came from, for messages (`-o/--output`). */
  flag: string;
  /** Allowed file extensions, lower case with the dot; omitted for folders. */
  extensions?: readonly string[];
  /** The path is a folder that must exist (or be creatable by the user) and be writable. */
  folder?: boolean;
}

const exists = (p: string) => stat(p).then((s) => s, () => undefined);

/**
 * Checks an output path before any model is loaded, so a typo costs nothing: the extension is one
 * the command writes, the target is not a folder (or is one, for folders), and its folder exists
 * and is writable. One helper for every command; later checks (devices, FIFOs) belong here too.
 */
export async function checkOutputPath(path: string, spec: OutputSpec): Promise<string> {
  if (spec.extensions && !spec.extensions.includes(extname(path).toLowerCase())) {
    const want = spec.extensions.join(' or ');
    throw new UsageError(`${spec.flag}: maskgen writes ${want} files; expected a name ending in ${want}, got "${path}"`);
  }
  const target = await exists(path);
  if (spec.folder) {
    if (target && !target.isDirectory()) throw new MaskgenError('INVALID_ARGUMENT', `${spec.flag}: "${path}" exists and is not a folder`);
    if (!target) throw new MaskgenError('NOT_FOUND', `${spec.flag}: folder "${path}" does not exist; create it first (mkdir -p ${JSON.stringify(path)})`);
    await writable(path, spec.flag);
    return path;
  }
  if (target?.isDirectory()) throw new MaskgenError('INVALID_ARGUMENT', `${spec.flag}: "${path}" is a folder; expected a file name like ${JSON.stringify(`${path.replace(/\/$/, '')}/out${spec.extensions?.[0] ?? ''}`)}`);
  const dir = dirname(resolve(path));
  const parent = await exists(dir);
  if (!parent) throw new MaskgenError('NOT_FOUND', `${spec.flag}: folder "${dirname(path)}" does not exist; create it first (mkdir -p ${JSON.stringify(dirname(path))})`);
  if (!parent.isDirectory()) throw new MaskgenError('INVALID_ARGUMENT', `${spec.flag}: "${dirname(path)}" is not a folder`);
  await writable(dir, spec.flag);
  if (target) await access(path, constants.W_OK).catch(() => {
    throw new MaskgenError('INVALID_ARGUMENT', `${spec.flag}: "${path}" exists and is not writable`);
  });
  return path;
}

async function writable(dir: string, flag: string): Promise<void> {
  await access(dir, constants.W_OK).catch(() => {
    throw new MaskgenError('INVALID_ARGUMENT', `${flag}: folder "${dir}" is not writable`);
  });
}
