import { copyFile, mkdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { repoFolderName } from '../hub-names.js';

/** A cache write failed with an OS error; the caller maps it to a MaskgenError with advice. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

const unique = () => `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * One repo's folder in the Hugging Face cache, laid out exactly as huggingface_hub does:
 * `blobs/<etag>` (content), `snapshots/<commit>/<file>` (relative symlinks to the blobs),
 * `refs/<revision>` (the commit a branch or tag pointed to), `.no_exist/<commit>/<file>` (known 404s).
 * Names are validated before they get here; every write is a temp file renamed into place.
 */
export class RepoCache {
  readonly storage: string;

  constructor(
    readonly cacheDir: string,
    readonly repoId: string,
  ) {
    this.storage = join(cacheDir, repoFolderName(repoId));
  }

  blobPath(etag: string): string {
    return join(this.storage, 'blobs', etag);
  }

  pointerPath(commit: string, file: string): string {
    return join(this.storage, 'snapshots', commit, ...file.split('/'));
  }

  /** The commit a revision last resolved to, as recorded by us or by Python. */
  async readRef(revision: string): Promise<string | undefined> {
    try {
      const text = (await readFile(join(this.storage, 'refs', ...revision.split('/')), 'utf8')).trim();
      return /^[0-9a-f]{40}$/.test(text) ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records revision → commit (no trailing newline, as Python writes it); best effort on read-only caches. */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit || (await this.readRef(revision)) === commit) return;
    const path = join(this.storage, 'refs', ...revision.split('/'));
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${unique()}.tmp`;
    await writeFile(tmp, commit);
    await rename(tmp, path);
  }

  /** Size of the file a snapshot entry points to, or undefined when it is not cached (or dangling). */
  async cachedSize(commit: string, file: string): Promise<number | undefined> {
    try {
      const s = await stat(this.pointerPath(commit, file));
      return s.isFile() ? s.size : undefined;
    } catch {
      return undefined;
    }
  }

  async blobSize(etag: string): Promise<number | undefined> {
    try {
      const s = await stat(this.blobPath(etag));
      return s.isFile() ? s.size : undefined;
    } catch {
      return undefined;
    }
  }

  /** Points snapshots/<commit>/<file> at blobs/<etag> with a relative symlink (a copy where symlinks are refused). */
  async link(commit: string, file: string, etag: string): Promise<string> {
    const pointer = this.pointerPath(commit, file);
    const blob = this.blobPath(etag);
    await mkdir(dirname(pointer), { recursive: true });
    const tmp = `${pointer}.${unique()}.tmp`;
    try {
      await symlink(relative(dirname(pointer), blob), tmp);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EACCES') throw e;
      await copyFile(blob, tmp);
    }
    await rename(tmp, pointer);
    return pointer;
  }

  async isNoExist(commit: string, file: string): Promise<boolean> {
    try {
      return (await stat(join(this.storage, '.no_exist', commit, ...file.split('/')))).isFile();
    } catch {
      return false;
    }
  }

  /** Remembers a 404 so `exists()` can answer offline, as Python does. */
  async markNoExist(commit: string, file: string): Promise<void> {
    const path = join(this.storage, '.no_exist', commit, ...file.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '');
  }

  /** A temp path next to the blob (same volume, so the final rename is atomic). */
  tempPath(etag: string): string {
    return `${this.blobPath(etag)}.${unique()}.incomplete`;
  }

  /** The stable name an interrupted download is parked under, to be resumed by the next attempt. */
  parkedPath(etag: string): string {
    return `${this.blobPath(etag)}.incomplete`;
  }
}
