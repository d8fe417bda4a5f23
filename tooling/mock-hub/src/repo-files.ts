import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { MockHubOptions, MockRepo } from './types.js';

/** A repo as the server sees it: where its files are and which revisions it answers to. */
export interface ServedRepo {
  id: string;
  dir: string;
  files?: Record<string, string>;
  commit: string;
  revisions: string[];
  formerCommits?: string[];
}

/** A file's bytes with the identifiers the hub announces for it. */
export interface ServedFile {
  bytes: Uint8Array;
  sha256: string;
  /** git blob id: sha1("blob <size>\0" + bytes), the hub's ETag for non-LFS files. */
  gitSha1: string;
  lfs: boolean;
}

const LFS_EXTENSIONS = /\.(safetensors|bin|pt|pth|ckpt|onnx|h5|msgpack|gz|npz|zip)$/i;

/** A stable fake commit per repo, so tests can predict snapshot folder names. */
export function fakeCommit(repoId: string): string {
  return createHash('sha1').update(`mock-hub commit of ${repoId}`).digest('hex');
}

/** Finds the repo for an id: explicit repos first, then `${root}/${owner}/${name}`. */
export async function findRepo(opts: MockHubOptions, repoId: string): Promise<ServedRepo | undefined> {
  const explicit: MockRepo | undefined = opts.repos?.[repoId];
  if (explicit) {
    return {
      id: repoId,
      dir: explicit.dir,
      files: explicit.files,
      commit: explicit.commit ?? fakeCommit(repoId),
      revisions: explicit.revisions ?? ['main'],
      formerCommits: explicit.formerCommits,
    };
  }
  if (!opts.root) return undefined;
  const dir = join(opts.root, repoId);
  if (!isInside(opts.root, dir)) return undefined;
  try {
    if (!(await stat(dir)).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  return { id: repoId, dir, commit: fakeCommit(repoId), revisions: ['main'] };
}

/** The commit a revision names in a repo: its branches and current commit → the current one, a former commit → itself, else undefined (404). */
export function servedCommit(repo: ServedRepo, revision: string): string | undefined {
  if (revision === repo.commit || repo.revisions.includes(revision)) return repo.commit;
  return repo.formerCommits?.includes(revision) ? revision : undefined;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The disk path of a repo file, or undefined when the repo has no such file (never outside its folder). */
export async function findFile(repo: ServedRepo, file: string): Promise<string | undefined> {
  let path: string;
  if (repo.files) {
    const mapped = repo.files[file];
    if (mapped === undefined) return undefined;
    path = join(repo.dir, mapped);
  } else {
    path = join(repo.dir, file);
    if (!isInside(repo.dir, path)) return undefined;
  }
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

const memo = new Map<string, { key: string; file: ServedFile }>();

/** Reads a file and its hashes, memoised on size and mtime so repeated requests stay cheap. */
export async function loadFile(path: string, file: string, lfsThreshold: number): Promise<ServedFile> {
  const s = await stat(path);
  const key = `${s.size}:${s.mtimeMs}:${lfsThreshold}:${file}`;
  const hit = memo.get(path);
  if (hit && hit.key === key) return hit.file;
  const bytes = new Uint8Array(await readFile(path));
  const served: ServedFile = {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    gitSha1: createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex'),
    lfs: bytes.byteLength >= lfsThreshold || LFS_EXTENSIONS.test(file),
  };
  memo.set(path, { key, file: served });
  return served;
}
