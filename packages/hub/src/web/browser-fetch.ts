import { MaskgenError, quote, throwIfAborted } from '@maskgen/core';
import { streamBody } from '../body-stream.js';
import { announcedEtag, hubStatusError } from '../file-metadata.js';
import { type HubHttp, type HubResponse, TransportError } from '../hub-http.js';
import { Sha256 } from './sha256.js';

/** How a browser source talks to the hub: the shared client plus what messages need. */
export interface WebHttp {
  http: HubHttp;
  repoId: string;
  /** Header timeout and body stall timeout. */
  timeoutMs: number;
  stallMs: number;
}

/** One request through the shared client (retries with jitter and cap, Retry-After, header timeout). */
export function webRequest(w: WebHttp, url: string, init: { method?: string; headers?: Record<string, string>; signal?: AbortSignal }): Promise<HubResponse> {
  return w.http.request(url, { ...init, timeoutMs: w.timeoutMs, redirects: 'all' });
}

/** Maps a hub error answer (X-Error-Code first, then the status) to the library's error. */
export function webStatusError(w: WebHttp, res: Response, revision: string, file: string): MaskgenError {
  return hubStatusError(res, w.http.endpoint, w.repoId, revision, file);
}

/**
 * Downloads a whole file with progress, resuming dropped transfers with Range, and verifies it: the
 * byte count against Content-Length, and the sha256 when the server exposes an LFS ETag (behind the
 * hub's CDN redirect browsers only see the CDN's headers, so size is what is always checked).
 */
export async function downloadWhole(w: WebHttp, url: string, revision: string, file: string, o: { signal?: AbortSignal; onBytes(loaded: number, total?: number): void }): Promise<{ blob: Blob; etag?: string; commit?: string }> {
  const what = `${quote(file)} of ${w.repoId}`;
  let parts: Uint8Array[] = [];
  let loaded = 0;
  let total: number | undefined;
  let etag: string | undefined;
  let commit: string | undefined;
  let sha: Sha256 | undefined;
  for (let failures = 0; ; ) {
    throwIfAborted(o.signal, `download of ${file}`);
    const r = await webRequest(w, url, { signal: o.signal, headers: loaded > 0 ? { Range: `bytes=${loaded}-` } : {} });
    if (!r.res.ok) throw webStatusError(w, r.res, revision, file);
    if (r.res.status === 200) {
      parts = [];
      loaded = 0;
      etag = announcedEtag(r.res);
      commit = r.res.headers.get('x-repo-commit') ?? undefined;
      sha = etag && /^[0-9a-f]{64}$/.test(etag) ? new Sha256() : undefined;
      const len = r.res.headers.get('content-encoding') ? null : r.res.headers.get('content-length');
      total = len === null ? undefined : Number(len);
    }
    const before = loaded;
    try {
      await streamBody(r, w.stallMs, o.signal, async (c) => {
        if (total !== undefined && loaded + c.byteLength > total) {
          throw new MaskgenError('DOWNLOAD_CORRUPT', `download of ${what} was rejected: the server sent more than the announced ${total} bytes; nothing was cached`);
        }
        parts.push(c);
        sha?.update(c);
        loaded += c.byteLength;
        o.onBytes(loaded, total);
      });
      if (total === undefined || loaded >= total) break;
      throw new TransportError(`connection closed after ${loaded} of ${total} bytes`, undefined);
    } catch (e) {
      r.abort();
      if (!(e instanceof TransportError)) throw e;
      failures = loaded > before ? 0 : failures + 1;
      if (failures > w.http.maxRetries) throw new MaskgenError('NETWORK', `download of ${what} kept failing: ${e.message}`, { cause: e });
      await new Promise((res) => setTimeout(res, w.http.backoff(failures)));
    }
  }
  const digest = sha?.hex();
  if (digest && digest !== etag) throw new MaskgenError('DOWNLOAD_CORRUPT', `download of ${what} was rejected: sha256 ${digest} differs from the announced ${quote(etag)}; nothing was cached`);
  const blob = new Blob(parts as BlobPart[]);
  if (!sha && etag && /^[0-9a-f]{40}$/.test(etag) && globalThis.crypto?.subtle) {
    // Small (non-LFS) files are named by their git blob id: sha1 of "blob <size>\0" + content.
    const git = new Blob([new TextEncoder().encode(`blob ${blob.size}\0`), blob]);
    const hex = [...new Uint8Array(await crypto.subtle.digest('SHA-1', await git.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');
    if (hex !== etag) throw new MaskgenError('DOWNLOAD_CORRUPT', `download of ${what} was rejected: git blob id ${hex} differs from the announced ${quote(etag)}; nothing was cached`);
  }
  return { blob, etag, commit };
}
