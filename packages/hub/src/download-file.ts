import { MaskgenError } from '@maskgen/core';
import { ContentCheck, type HashFactory } from './content-check.js';
import type { EntryKey, EntryMeta, FileStore, FileWrite } from './file-store.js';
import { TransportError } from './hub-http.js';
import { corrupt, etagChanged } from './transfer-limits.js';
import { type TransferContext, transferBody } from './transfer-body.js';

/** A whole-file download: where it goes, plus the transfer's context. */
export interface DownloadRequest extends TransferContext {
  store: FileStore;
  key: EntryKey;
  /** Hashes for verification (default the JS ones; Node passes node:crypto's). */
  hashes?: HashFactory;
}

/**
 * The one whole-file download path, for every store: a streamed write resumed from what the store kept
 * of an interrupted attempt, verified (size, then sha256 for LFS files or the git blob id otherwise)
 * before the store commits it atomically. On failure nothing unverified is left under the entry's name:
 * corrupt bytes are dropped, an interrupted transfer is parked for the next attempt where the store can.
 */
export async function downloadFile(req: DownloadRequest): Promise<EntryMeta> {
  const { meta } = req;
  const entry: EntryMeta = {
    repoId: req.repoId,
    revision: req.key.revision,
    file: req.file,
    size: meta.size,
    kind: 'file',
    ...(meta.etag ? { etag: meta.etag } : {}),
    ...(meta.commit ? { commit: meta.commit } : {}),
    lfs: meta.lfs,
    storedAt: Date.now(),
  };
  for (let pass = 0; ; pass++) {
    const out = await req.store.put(req.key, entry);
    const resumed = pass === 0 && out.resumeFrom > 0 && out.resumeFrom <= meta.size ? out.resumeFrom : 0;
    try {
      await transferAndCommit(req, out, resumed);
      return entry;
    } catch (e) {
      // A parked partial from an earlier run can hold bad bytes: one fresh attempt before giving up.
      if (resumed > 0 && pass === 0 && e instanceof MaskgenError && e.code === 'DOWNLOAD_CORRUPT' && !etagChanged(e)) continue;
      throw e;
    }
  }
}

async function transferAndCommit(req: DownloadRequest, out: FileWrite, resumeFrom: number): Promise<void> {
  const check = new ContentCheck(req.meta.etag, req.meta.size, req.meta.lfs, req.hashes);
  let have = resumeFrom;
  try {
    if (resumeFrom > 0) await out.replay(resumeFrom, (c) => check.update(c));
    else if (out.resumeFrom > 0) await out.truncate(0);
    await transferBody({ ...req, onBytes: (n) => req.onBytes((have = n)) }, out, check, have);
    const bad = check.mismatch();
    if (bad) throw corrupt(req.repoId, req.file, bad);
    await out.commit();
  } catch (e) {
    const resumable = !(e instanceof MaskgenError && (e.code === 'DOWNLOAD_CORRUPT' || e.code === 'CACHE_IO')) && have > 0;
    await out.abort(resumable).catch(() => {});
    if (e instanceof TransportError) throw new MaskgenError('NETWORK', e.message, { cause: e });
    throw e;
  }
}
