import { MaskgenError, quote, throwIfAborted } from '@maskgen/core';
import { Sha256 } from './sha256.js';

/** How a browser source talks to the hub. */
export interface WebHttp {
  fetch: typeof fetch;
  endpoint: string;
  token?: string;
  retries: number;
  baseDelayMs: number;
  stallMs: number;
}

const RETRY = new Set([408, 429, 500, 502, 503, 504]);
const ADVICE = 'check the connection, or pass a reachable mirror as `endpoint`';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** fetch with backoff on network errors and 408/429/5xx; the token goes only to the hub's origin (fetch drops it on cross-origin redirects). */
export async function fetchRetry(http: WebHttp, url: string, init: { method?: string; headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (http.token && new URL(url).origin === new URL(http.endpoint).origin) headers.Authorization = `Bearer ${http.token}`;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(init.signal, 'download');
    let res: Response | undefined;
    let failure: unknown;
    try {
      res = await http.fetch(url, { method: init.method ?? 'GET', headers, signal: init.signal });
      if (!RETRY.has(res.status)) return res;
    } catch (e) {
      throwIfAborted(init.signal, 'download');
      failure = e;
    }
    if (attempt >= http.retries) {
      if (res) return res;
      throw new MaskgenError('NETWORK', `cannot fetch ${url}: ${(failure as Error)?.message ?? failure}; ${ADVICE}`, { cause: failure });
    }
    await res?.body?.cancel().catch(() => {});
    const after = res?.headers.get('retry-after');
    await sleep(after ? Math.min(Number(after) * 1000 || 0, 30_000) : http.baseDelayMs * 2 ** attempt);
  }
}

/** Maps an HTTP failure to the library's error, naming repo and file. */
export function httpError(res: Response, what: string): MaskgenError {
  if (res.status === 404) return new MaskgenError('NOT_FOUND', `${what} was not found (HTTP 404)`);
  if (res.status === 401 || res.status === 403) return new MaskgenError('UNAUTHORIZED', `${what}: access refused (HTTP ${res.status}); pass a token with access to the repo`);
  return new MaskgenError('NETWORK', `${what}: HTTP ${res.status}; ${ADVICE}`);
}

/** `W/"abc"` / `"abc"` → `abc`. */
export function etagOf(res: Response): string | undefined {
  const raw = res.headers.get('x-linked-etag') ?? res.headers.get('etag');
  return raw?.replace(/^W\//, '').replace(/^"+|"+$/g, '') || undefined;
}

/** Reads a body with a stall timeout, handing each chunk over as it arrives. */
export async function readBody(res: Response, stallMs: number, onChunk: (c: Uint8Array) => void): Promise<void> {
  const reader = res.body?.getReader();
  if (!reader) return;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stall = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no data for ${stallMs} ms`)), stallMs);
    });
    try {
      const { done, value } = await Promise.race([reader.read(), stall]);
      if (done) return;
      onChunk(value);
    } catch (e) {
      await reader.cancel().catch(() => {});
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Downloads a whole file with progress, resuming dropped transfers with Range, and verifies it: the
 * byte count against Content-Length, and the sha256 when the server exposes an LFS ETag (behind the
 * hub's CDN redirect browsers only see the CDN's headers, so size is what is always checked).
 */
export async function downloadWhole(http: WebHttp, url: string, what: string, o: { signal?: AbortSignal; onBytes(loaded: number, total?: number): void }): Promise<{ blob: Blob; etag?: string; commit?: string }> {
  let parts: Uint8Array[] = [];
  let loaded = 0;
  let total: number | undefined;
  let etag: string | undefined;
  let commit: string | undefined;
  let sha: Sha256 | undefined;
  for (let failures = 0; ; ) {
    const res = await fetchRetry(http, url, { signal: o.signal, headers: loaded > 0 ? { Range: `bytes=${loaded}-` } : {} });
    if (!res.ok) throw httpError(res, what);
    if (res.status === 200) {
      parts = [];
      loaded = 0;
      etag = etagOf(res);
      commit = res.headers.get('x-repo-commit') ?? undefined;
      sha = etag && /^[0-9a-f]{64}$/.test(etag) ? new Sha256() : undefined;
      const len = res.headers.get('content-encoding') ? null : res.headers.get('content-length');
      total = len === null ? undefined : Number(len);
    }
    const before = loaded;
    try {
      await readBody(res, http.stallMs, (c) => {
        parts.push(c);
        sha?.update(c);
        loaded += c.byteLength;
        o.onBytes(loaded, total);
      });
      if (total === undefined || loaded >= total) break;
      throw new Error(`connection closed after ${loaded} of ${total} bytes`);
    } catch (e) {
      throwIfAborted(o.signal, 'download');
      failures = loaded > before ? 0 : failures + 1;
      if (failures > http.retries) throw new MaskgenError('NETWORK', `download of ${what} kept failing: ${(e as Error).message}; ${ADVICE}`, { cause: e });
      await sleep(http.baseDelayMs * 2 ** failures);
    }
  }
  if (total !== undefined && loaded !== total) throw new MaskgenError('DOWNLOAD_CORRUPT', `download of ${what} was rejected: ${loaded} bytes received, ${total} announced; nothing was cached`);
  const digest = sha?.hex();
  if (digest && digest !== etag) throw new MaskgenError('DOWNLOAD_CORRUPT', `download of ${what} was rejected: sha256 ${digest} differs from the announced ${quote(etag)}; nothing was cached`);
  return { blob: new Blob(parts as BlobPart[]), etag, commit };
}
