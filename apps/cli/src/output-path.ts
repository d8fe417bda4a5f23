import { MaskgenError } from '@maskgen/core';
import { constants } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { describeKind, notRegular } from '@maskgen/queue/output-folder';
import { UsageError } from './cli-error.js';

/** What a command will write at a path: a file with one of `extensions`, or a folder (`--prompts` output). */
export interface OutputSpec {
  /** The flag the path came from, for messages (`-o/--output`). */
  flag: string;
  /** Allowed file extensions, lower case with the dot; omitted for folders. */
  extensions?: readonly string[];
  /** The path is a folder that must exist (or be creatable by the user) and be writable. */
  folder?: boolean;
  /** With `folder`: a missing folder is fine when its parent exists and is writable (`export` creates it). */
  create?: boolean;
}

const exists = (p: string) =>
  stat(p).then(
    (s) => s,
    () => undefined,
  );

/**
 * Checks an output path before any model is loaded, so a typo costs nothing. The rule: maskgen writes
 * only regular files (never a device, FIFO, socket or folder, nor a symlink to one, since the file is
 * renamed into place and would replace it), with an extension the command writes, in a folder that
 * exists and is writable. Every refusal is a `MaskgenError`/`UsageError` naming the path and the fix.
 */
export async function checkOutputPath(path: string, spec: OutputSpec): Promise<string> {
  if (path.trim() === '' || path.includes('\0'))
    throw new UsageError(`${spec.flag}: expected a ${spec.folder ? 'folder' : 'file'} name, got ${JSON.stringify(path)}`);
  if (spec.extensions && !spec.extensions.includes(extname(path).toLowerCase())) {
    const want = spec.extensions.join(' or ');
    throw new UsageError(`${spec.flag}: maskgen writes ${want} files; expected a name ending in ${want}, got "${path}"`);
  }
  const target = await exists(path);
  if (spec.folder) {
    if (target && !target.isDirectory())
      throw new MaskgenError('INVALID_ARGUMENT', `${spec.flag}: "${path}" exists and is ${describeKind(target)}, not a folder; name a folder`);
    if (!target && !spec.create)
      throw new MaskgenError('NOT_FOUND', `${spec.flag}: folder "${path}" does not exist; create it first (mkdir -p ${JSON.stringify(path)})`);
    if (!target) return (await checkParent(path, spec.flag), path);
    await writable(path, spec.flag);
    return path;
  }
  if (target?.isDirectory())
    throw new MaskgenError(
      'INVALID_ARGUMENT',
      `${spec.flag}: "${path}" is a folder; expected a file name like ${JSON.stringify(`${path.replace(/\/$/, '')}/out${spec.extensions?.[0] ?? ''}`)}`,
    );
  if (target && !target.isFile()) throw notRegular(path, spec.flag, target);
  if (
    !target &&
    (await lstat(path).then(
      (l) => l.isSymbolicLink(),
      () => false,
    ))
  ) {
    throw new MaskgenError('INVALID_ARGUMENT', `${spec.flag}: "${path}" is a symbolic link to a missing target; remove it or choose another name`);
  }
  await checkParent(path, spec.flag);
  if (target)
    await access(path, constants.W_OK).catch(() => {
      throw new MaskgenError('INVALID_ARGUMENT', `${spec.flag}: "${path}" exists and is not writable; choose another name or change its permissions`);
    });
  return path;
}

async function checkParent(path: string, flag: string): Promise<void> {
  const dir = dirname(resolve(path));
  const parent = await exists(dir);
  if (!parent)
    throw new MaskgenError('NOT_FOUND', `${flag}: folder "${dirname(path)}" does not exist; create it first (mkdir -p ${JSON.stringify(dirname(path))})`);
  if (!parent.isDirectory()) throw new MaskgenError('INVALID_ARGUMENT', `${flag}: "${dirname(path)}" is not a folder`);
  await writable(dir, flag);
}

async function writable(dir: string, flag: string): Promise<void> {
  await access(dir, constants.W_OK).catch(() => {
    throw new MaskgenError('INVALID_ARGUMENT', `${flag}: folder "${dir}" is not writable; choose another folder or change its permissions`);
  });
}
