import { type FileHandle, type OnnxModel, fileIdentity as contentIdentity } from '@maskgen/core';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { arch, cpus, platform } from 'node:os';

/** Bumped whenever what an entry holds, or how it is loaded, changes. */
export const CACHE_FORMAT = 1;

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * What a weight file's bytes are, cheaply: core's `fileIdentity` (content id, or the sources and recipe
 * of derived int8 bytes), and for a local file its real path, size, mtime (ns), device and inode.
 * Hashing gigabytes on every start would cost the seconds the cache saves; any rewrite of a file
 * changes its mtime (and an atomic replace its inode), and a hub blob's real path is its sha256.
 * Undefined when the bytes cannot be identified (then the session is not cached).
 */
export function fileIdentity(f: FileHandle): Promise<string | undefined> {
  return contentIdentity(f, async (g) => {
    if (!g.localPath) return undefined;
    const real = await realpath(g.localPath);
    const s = await stat(real, { bigint: true });
    return `file:${real}:${s.size}:${s.mtimeNs}:${s.dev}:${s.ino}`;
  });
}

/** Local files an entry derives from (for removing a model's entries with the model). */
export async function sourcePaths(model: OnnxModel): Promise<string[]> {
  const files = model.externalData.flatMap((e) => (e.file.derivedFrom ? e.file.derivedFrom.files : [e.file]));
  const paths = await Promise.all(files.map((f) => (f.localPath ? realpath(f.localPath).catch(() => undefined) : undefined)));
  return [...new Set(paths.filter((p): p is string => p !== undefined))];
}

let cpuId: string | undefined;

/**
 * The CPU an entry was built for: ORT pre-packs weights and picks fused kernels for the instruction
 * set it finds, so an entry made on another CPU (or a VM exposing other flags) must not be reused.
 */
export function cpuIdentity(): string {
  if (cpuId) return cpuId;
  let flags = '';
  try {
    flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '';
  } catch {
    // not Linux: the model name and architecture stand for the flags
  }
  cpuId = `${platform()}-${arch()}-${cpus()[0]?.model ?? 'unknown'}-${sha256(flags).slice(0, 16)}`;
  return cpuId;
}

/** Everything besides the model that shapes what ORT derives: its version, the CPU, and the session options. */
export interface KeyContext {
  ortVersion: string;
  options: Record<string, unknown>;
}

/**
 * The cache key of a model under a context: a sha256 over the graph bytes (every op, shape, precision
 * and int8 kernel choice of the builder), each weight file's identity, the ORT version, the CPU and
 * the session options (threads, optimisation level, pre-packing, providers). Undefined when a weight
 * file has no identity.
 */
export async function sessionCacheKey(model: OnnxModel, ctx: KeyContext): Promise<string | undefined> {
  const files = await Promise.all(model.externalData.map(async (e) => [e.path, await fileIdentity(e.file)] as const));
  if (files.some(([, id]) => id === undefined)) return undefined;
  const parts = { format: CACHE_FORMAT, ort: ctx.ortVersion, cpu: cpuIdentity(), options: ctx.options, graph: sha256(model.graph), files };
  return sha256(JSON.stringify(parts));
}
