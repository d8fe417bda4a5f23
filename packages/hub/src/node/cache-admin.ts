import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { repoFolderName, validateRepoId } from '../hub-names.js';
import { rangeCacheDir } from './range-store.js';
import { partialBytes } from './stale-partials.js';

/** One repo in the disk cache, for `maskgen cache ls` and other cache UIs. */
export interface CachedRepo {
  repoId: string;
  /** Bytes of whole files (blobs, parked partial downloads included). */
  fileBytes: number;
  /** Of fileBytes, unfinished downloads (`blobs/*.incomplete`): resumed by the next download, removed by `cache rm`. */
  partialBytes: number;
  /** Bytes held by range-read files (only the ranges actually stored, not the sparse file's length). */
  rangeBytes: number;
  /** Everything this repo occupies: fileBytes + rangeBytes + refs, snapshots and bookkeeping. */
  bytes: number;
}

/** `models--owner--name` → `owner/name` (owner and name never contain `--`, as validateRepoId enforces). */
export function repoOfFolder(name: string): string | undefined {
  const m = /^models--([^-].*?)--(.+)$/.exec(name);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

async function treeBytes(dir: string, count: (path: string, size: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeBytes(p, count);
    else if (e.isFile()) total += await count(p, (await stat(p)).size);
  }
  return total;
}

/** Bytes a range cache data file really holds: the sum of its recorded intervals. */
async function storedRanges(dataPath: string, apparent: number): Promise<number> {
  try {
    const iv = JSON.parse(await readFile(dataPath.replace(/\.data$/, '.ranges.json'), 'utf8')) as [number, number][];
    return iv.reduce((s, [a, b]) => s + (b - a), 0);
  } catch {
    return apparent;
  }
}

/**
 * Every repo of a hub cache with what it stores: the Python layout (`models--*`) and the range cache
 * kept beside it (`.maskgen/ranges/models--*`), so CLIP's text tower is counted too.
 */
export async function listCache(cacheDir: string): Promise<CachedRepo[]> {
  const names = new Set<string>();
  for (const dir of [cacheDir, join(cacheDir, '.maskgen', 'ranges')]) {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (e.isDirectory() && repoOfFolder(e.name)) names.add(e.name);
  }
  const out: CachedRepo[] = [];
  for (const name of [...names].sort()) {
    const repoId = repoOfFolder(name)!;
    const fileBytes = await treeBytes(join(cacheDir, name, 'blobs'), async (_, size) => size);
    const other = await treeBytes(join(cacheDir, name), async (p, size) => (p.includes(`${join(cacheDir, name, 'blobs')}/`) ? 0 : size));
    let rangeBytes = 0;
    const bookkeeping = await treeBytes(rangeCacheDir(cacheDir, repoId), async (p, size) => {
      if (!p.endsWith('.data')) return size;
      rangeBytes += await storedRanges(p, size);
      return 0;
    });
    out.push({
      repoId,
      fileBytes,
      partialBytes: await partialBytes(join(cacheDir, name, 'blobs')),
      rangeBytes,
      bytes: fileBytes + rangeBytes + other + bookkeeping,
    });
  }
  return out;
}

/** Removes every byte a repo holds in the cache (Python layout and range cache); returns the bytes freed. */
export async function removeFromCache(cacheDir: string, repoId: string): Promise<number> {
  validateRepoId(repoId);
  const found = (await listCache(cacheDir)).find((r) => r.repoId === repoId);
  await rm(join(cacheDir, repoFolderName(repoId)), { recursive: true, force: true });
  await rm(rangeCacheDir(cacheDir, repoId), { recursive: true, force: true });
  return found?.bytes ?? 0;
}
