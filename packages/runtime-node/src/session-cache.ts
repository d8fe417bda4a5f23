import { MaskgenError, type SessionCache, type SessionCacheEntry } from '@maskgen/core';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CACHE_FORMAT } from './session-cache-key.js';

/** File names inside an entry: ORT's optimised graph, its external initializers, and the manifest written last. */
export const ENTRY_FILES = { graph: 'model.onnx', data: 'weights.bin', manifest: 'manifest.json' } as const;

/**
 * Markers beside the manifest: `trial` is written before a process first loads an entry and `ok`
 * after that session's first run succeeds. A trial without ok means a process died loading or
 * running it (onnxruntime can crash outright rather than throw), so the entry is never tried again.
 */
const TRIAL = 'trial';
const OK = 'ok';
const REFUSED = 'refused';

interface Manifest {
  format: number;
  key: string;
  model: string;
  createdAt: string;
  sources: string[];
  files: Record<string, { size: number; sha256: string }>;
}

const KEY = /^[0-9a-f]{64}$/;
const TMP = '.tmp-';

/**
 * sha256 of a file when it is small; for large weight files, of its size and 64 KiB at 64 evenly
 * spread places and the end: 4 MiB read per start instead of gigabytes, and any truncation, or
 * zeroed or overwritten block it lands on, changes it (ORT's own load failure catches the rest).
 */
async function fingerprint(path: string): Promise<{ size: number; sha256: string }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const h = createHash('sha256').update(String(size));
    const chunk = 64 << 10;
    const at = size <= 64 * chunk ? [0] : [...Array.from({ length: 64 }, (_, i) => Math.floor((i * (size - chunk)) / 64)), size - chunk];
    const buf = Buffer.alloc(size <= 64 * chunk ? size : chunk);
    for (const pos of at) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      h.update(buf.subarray(0, bytesRead));
    }
    return { size, sha256: h.digest('hex') };
  } finally {
    await fh.close();
  }
}

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir).catch(() => [])) n += (await stat(join(dir, f)).catch(() => ({ size: 0 }))).size;
  return n;
}

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  await fh.sync().finally(() => fh.close());
}

/**
 * runtime-node's session cache on disk: one folder per key holding ORT's optimised model with its
 * pre-packed weights. An entry is written into a temporary folder and renamed into place after its
 * files are synced and its manifest (sizes and fingerprints) written, so a reader sees a whole entry
 * or none; `lookup` checks the manifest and removes an entry that does not match it.
 */
export class DiskSessionCache implements SessionCache {
  constructor(readonly location: string) {}

  /** True when an earlier process died loading this key's entry: build without the cache from now on. */
  async refused(key: string): Promise<boolean> {
    return stat(join(this.location, key, REFUSED)).then(
      () => true,
      () => false,
    );
  }

  /**
   * Before loading an entry: refuses it (keeping only the marker) when an earlier trial never
   * finished, else records this trial. Returns false when the entry must not be loaded.
   */
  async beginTrial(key: string): Promise<boolean> {
    const dir = join(this.location, key);
    const has = (f: string) =>
      stat(join(dir, f)).then(
        () => true,
        () => false,
      );
    if (await has(OK)) return true;
    if (await has(TRIAL)) {
      // Another live process may be loading it right now (several workers share one cache): leave it alone.
      const pid = Number(await readFile(join(dir, TRIAL), 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return false;
      for (const f of await readdir(dir)) await rm(join(dir, f), { force: true });
      await writeFile(join(dir, REFUSED), 'onnxruntime did not survive loading or running this entry; sessions of this key are built without the cache\n');
      return false;
    }
    await writeFile(join(dir, TRIAL), String(process.pid));
    return true;
  }

  /** After the first successful run of a session loaded from an entry. */
  async trialPassed(key: string): Promise<void> {
    await writeFile(join(this.location, key, OK), '').catch(() => undefined);
  }

  /** The graph path of a whole, undamaged entry, else undefined (a damaged one is removed). */
  async lookup(key: string): Promise<string | undefined> {
    const dir = join(this.location, key);
    if (await this.refused(key)) return undefined;
    const manifest = await this.manifest(dir);
    if (!manifest) {
      if (
        await stat(dir).then(
          () => true,
          () => false,
        )
      )
        await this.discard(key);
      return undefined;
    }
    for (const [name, want] of Object.entries(manifest.files)) {
      const got = await fingerprint(join(dir, name)).catch(() => undefined);
      if (!got || got.size !== want.size || got.sha256 !== want.sha256) {
        await this.discard(key);
        return undefined;
      }
    }
    return join(dir, ENTRY_FILES.graph);
  }

  /** A fresh temporary folder to build an entry in (ORT writes the optimised model there). */
  async begin(key: string): Promise<string> {
    const tmp = join(this.location, `${TMP}${key.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(tmp, { recursive: true });
    return tmp;
  }

  /** Seals a built entry: sync, fingerprint, manifest, then one rename. A concurrent writer's entry wins. */
  async publish(tmp: string, key: string, info: { model: string; sources: string[] }): Promise<void> {
    const files: Manifest['files'] = {};
    for (const name of await readdir(tmp)) {
      await fsyncFile(join(tmp, name));
      files[name] = await fingerprint(join(tmp, name));
    }
    if (!files[ENTRY_FILES.graph]) throw new MaskgenError('CACHE_IO', `session cache: onnxruntime wrote no ${ENTRY_FILES.graph} into ${tmp}`);
    const manifest: Manifest = { format: CACHE_FORMAT, key, model: info.model, createdAt: new Date().toISOString(), sources: info.sources, files };
    await writeFile(join(tmp, ENTRY_FILES.manifest), JSON.stringify(manifest, null, 1));
    await fsyncFile(join(tmp, ENTRY_FILES.manifest));
    await rename(tmp, join(this.location, key)).catch(async () => rm(tmp, { recursive: true, force: true }));
  }

  /** Removes an entry (damaged, or refused by ORT). */
  async discard(key: string): Promise<void> {
    await rm(join(this.location, key), { recursive: true, force: true });
  }

  private async manifest(dir: string): Promise<Manifest | undefined> {
    try {
      const m = JSON.parse(await readFile(join(dir, ENTRY_FILES.manifest), 'utf8')) as Manifest;
      return m.format === CACHE_FORMAT && typeof m.files === 'object' && m.files[ENTRY_FILES.graph] ? m : undefined;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<SessionCacheEntry[]> {
    const out: SessionCacheEntry[] = [];
    for (const name of (await readdir(this.location).catch(() => [])).sort()) {
      if (!KEY.test(name) && !name.startsWith(TMP)) continue;
      const dir = join(this.location, name);
      const m = KEY.test(name) ? await this.manifest(dir) : undefined;
      const refused = KEY.test(name) && (await this.refused(name));
      out.push({
        id: name,
        model: m?.model ?? (refused ? '(refused: onnxruntime crashed loading it)' : '(unfinished)'),
        bytes: await dirBytes(dir),
        createdAt: m?.createdAt ?? '',
        sources: m?.sources ?? [],
        complete: m !== undefined,
      });
    }
    return out;
  }

  async remove(ids: readonly string[]): Promise<number> {
    const entries = await this.list();
    let freed = 0;
    for (const id of ids) {
      const hits = entries.filter((e) => e.id.startsWith(id));
      if (hits.length !== 1)
        throw new MaskgenError(
          'INVALID_ARGUMENT',
          `session cache: ${JSON.stringify(id)} matches ${hits.length} entries in ${this.location}; expected one (see cache ls)`,
        );
      await rm(join(this.location, hits[0].id), { recursive: true, force: true });
      freed += hits[0].bytes;
    }
    return freed;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
