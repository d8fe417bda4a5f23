import { type FileHandle, open } from 'node:fs/promises';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RangeStore } from '../file-store.js';
import { repoFolderName } from '../hub-names.js';

type Interval = [number, number];

const unique = () => `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${unique()}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Where range caches live: beside, not inside, the Python layout (whose blobs must be whole files). */
export function rangeCacheDir(cacheDir: string, repoId: string): string {
  return join(cacheDir, '.maskgen', 'ranges', repoFolderName(repoId));
}

/** Remembers etag and size of a file at a commit, so a range-read file reopens without a request. */
export async function readRangeMeta(dir: string, commit: string, file: string): Promise<{ etag: string; size: number; lfs: boolean } | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, 'meta', commit, `${file}.json`), 'utf8')) as { etag?: unknown; size?: unknown; lfs?: unknown };
    if (typeof m.etag === 'string' && /^[0-9A-Za-z_-][0-9A-Za-z._-]*$/.test(m.etag) && !m.etag.includes('..') && Number.isSafeInteger(m.size)) {
      return { etag: m.etag, size: m.size as number, lfs: m.lfs === true };
    }
  } catch {
    // not cached yet
  }
  return undefined;
}

export async function writeRangeMeta(dir: string, commit: string, file: string, meta: { etag: string; size: number; lfs: boolean }): Promise<void> {
  await writeAtomic(join(dir, 'meta', commit, `${file}.json`), JSON.stringify(meta));
}

/**
 * The byte ranges of one remote file read so far, kept in a sparse file of the full size plus an
 * index of the intervals that hold real data. A second run reads CLIP's text tower from disk without
 * a request and without ever fetching the vision tower. Intervals are only recorded after their
 * bytes are written and synced, so the index never claims data the file lacks.
 */
export class SparseRangeStore implements RangeStore {
  private intervals: Interval[] | undefined;
  private prepared: Promise<void> | undefined;
  private readonly dataPath: string;
  private readonly indexPath: string;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    dir: string,
    etag: string,
    readonly size: number,
  ) {
    this.dataPath = join(dir, `${etag}.data`);
    this.indexPath = join(dir, `${etag}.ranges.json`);
  }

  /**
   * Runs `fn` on a freshly opened handle and closes it: range reads come seconds apart, and a handle
   * held open by a long-lived source would only be closed by the garbage collector.
   */
  private async withHandle<T>(fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    this.prepared ??= (async () => {
      await mkdir(dirname(this.dataPath), { recursive: true });
      await (await open(this.dataPath, 'a')).close();
      const fh = await open(this.dataPath, 'r+');
      try {
        if ((await fh.stat()).size !== this.size) await fh.truncate(this.size);
      } finally {
        await fh.close();
      }
    })();
    await this.prepared;
    const fh = await open(this.dataPath, 'r+');
    try {
      return await fn(fh);
    } finally {
      await fh.close();
    }
  }

  private async load(): Promise<Interval[]> {
    if (!this.intervals) {
      try {
        const raw = JSON.parse(await readFile(this.indexPath, 'utf8')) as unknown;
        const ok =
          Array.isArray(raw) &&
          raw.every(
            (iv) =>
              Array.isArray(iv) &&
              iv.length === 2 &&
              Number.isSafeInteger(iv[0]) &&
              Number.isSafeInteger(iv[1]) &&
              iv[0] >= 0 &&
              iv[0] < iv[1] &&
              iv[1] <= this.size,
          );
        this.intervals = ok ? (raw as Interval[]) : [];
      } catch {
        this.intervals = [];
      }
    }
    return this.intervals;
  }

  /** The parts of [start, end) not on disk yet. */
  async missing(start: number, end: number): Promise<Interval[]> {
    const gaps: Interval[] = [];
    let pos = start;
    for (const [a, b] of await this.load()) {
      if (b <= pos) continue;
      if (a >= end) break;
      if (a > pos) gaps.push([pos, a]);
      pos = Math.max(pos, b);
      if (pos >= end) break;
    }
    if (pos < end) gaps.push([pos, end]);
    return gaps;
  }

  async write(position: number, data: Uint8Array): Promise<void> {
    await this.withHandle(async (fh) => {
      for (let done = 0; done < data.byteLength; ) {
        const { bytesWritten } = await fh.write(data, done, data.byteLength - done, position + done);
        done += bytesWritten;
      }
      await fh.datasync();
    });
  }

  /** Records [start, end) as present (after syncing its bytes) and persists the index. */
  async commit(start: number, end: number): Promise<void> {
    const merged: Interval[] = [];
    for (const iv of [...(await this.load()), [start, end] as Interval].sort((x, y) => x[0] - y[0])) {
      const last = merged[merged.length - 1];
      if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1]]);
    }
    this.intervals = merged;
    this.saving = this.saving.then(() => writeAtomic(this.indexPath, JSON.stringify(merged)));
    await this.saving;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.withHandle(async (fh) => {
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const { bytesRead } = await fh.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new Error(`range cache ${this.dataPath} is shorter than expected`);
        done += bytesRead;
      }
      return out;
    });
  }

  /** Nothing stays open between operations; kept for callers that close sources. */
  async close(): Promise<void> {}
}
