import { MaskgenError, quote } from '@maskgen/core';
import { type FileMetadata, hubStatusError, normalizeEtag } from '../file-metadata.js';
import { isCommitHash, resolveUrl } from '../hub-names.js';
import type { HubHttp } from '../hub-http.js';

/** One repo at one revision as the hub's API lists it: the commit and every file's size and hashes. */
interface RepoInfo {
  commit: string;
  files: Map<string, { size: number; etag: string; lfs: boolean }>;
}

/** Repo listings, once per page per endpoint, repo and revision: a branch is resolved once, not per file. */
const pageInfo = new Map<string, Promise<RepoInfo | undefined>>();

/** The hub's API listing (`/api/models/{repo}/revision/{rev}?blobs=true`), or undefined where there is no API (a static host). */
async function repoInfo(http: HubHttp, repoId: string, revision: string, timeoutMs: number, signal?: AbortSignal): Promise<RepoInfo | undefined> {
  const url = `${http.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const { res } = await http.request(url, { timeoutMs, signal, redirects: 'all' });
  if (res.headers.has('x-error-code') || res.status === 401 || res.status === 403) {
    await res.body?.cancel().catch(() => {});
    throw hubStatusError(res, http.endpoint, repoId, revision, '(repo listing)');
  }
  const body = res.ok
    ? ((await res.json().catch(() => undefined)) as { sha?: unknown; siblings?: unknown } | undefined)
    : await res.body?.cancel().catch(() => undefined);
  if (!body || typeof body.sha !== 'string' || !isCommitHash(body.sha) || !Array.isArray(body.siblings)) return undefined;
  const files = new Map<string, { size: number; etag: string; lfs: boolean }>();
  for (const s of body.siblings as { rfilename?: unknown; size?: unknown; blobId?: unknown; lfs?: { sha256?: unknown; size?: unknown } }[]) {
    const lfs = typeof s.lfs?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(s.lfs.sha256);
    const etag = lfs ? (s.lfs!.sha256 as string) : typeof s.blobId === 'string' && /^[0-9a-f]{40}$/.test(s.blobId) ? s.blobId : '';
    const size = Number(lfs ? (s.lfs!.size ?? s.size) : s.size);
    if (typeof s.rfilename === 'string' && Number.isSafeInteger(size) && size >= 0) files.set(s.rfilename, { size, etag, lfs });
  }
  return { commit: body.sha, files };
}

/** What a browser source needs to know before downloading or range-reading a file. */
export interface BrowserMetadata {
  /** The file's metadata, or `missing` (the hub has no such file at this revision). */
  file(file: string, signal?: AbortSignal): Promise<FileMetadata | { missing: true }>;
  /** The commit the revision resolved to in this page, once known (requests are then pinned to it). */
  commit(): string | undefined;
}

/**
 * Browsers follow the hub's LFS redirect themselves and then see only the CDN's headers, where the
 * X-Linked-Etag (the sha256) is gone. The hub's API names every file's sha256 (LFS) or git blob id,
 * size and the commit in one request per repo, so LFS downloads are verified by sha256 in browsers too.
 * Hosts without the API (a static mirror) fall back to a HEAD per file: size checked, hash when shown.
 */
export function browserMetadata(http: HubHttp, repoId: string, revision: string, timeoutMs: number): BrowserMetadata {
  const key = `${http.endpoint} ${repoId} ${revision} ${http.hasToken}`;
  let known: RepoInfo | undefined;
  const info = (signal?: AbortSignal) => {
    let p = pageInfo.get(key);
    if (!p) {
      p = repoInfo(http, repoId, revision, timeoutMs, signal);
      pageInfo.set(key, p);
      p.catch(() => pageInfo.delete(key));
    }
    return p.then((i) => (known = i));
  };
  async function byHead(file: string, signal?: AbortSignal): Promise<FileMetadata | { missing: true }> {
    const { res } = await http.request(resolveUrl(http.endpoint, repoId, revision, file), { method: 'HEAD', timeoutMs, signal, redirects: 'all' });
    await res.body?.cancel().catch(() => {});
    if (res.status === 404 && (res.headers.get('x-error-code') ?? 'EntryNotFound') === 'EntryNotFound') return { missing: true };
    if (!res.ok) throw hubStatusError(res, http.endpoint, repoId, revision, file);
    const len = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
    if (len === null || !Number.isSafeInteger(Number(len)))
      throw new MaskgenError('NETWORK', `${http.endpoint} did not say how big ${quote(file)} of ${repoId} is`);
    // Only the hub's own ETag names the content; behind a CDN redirect the browser sees the CDN's.
    const sameOrigin = new URL(res.url || http.endpoint).origin === new URL(http.endpoint).origin;
    const etag = (sameOrigin && normalizeEtag(res.headers.get('etag'))) || '';
    return { commit: res.headers.get('x-repo-commit') ?? '', etag, size: Number(len), lfs: /^[0-9a-f]{64}$/.test(etag) };
  }
  return {
    async file(file, signal) {
      const i = await info(signal);
      if (!i) return byHead(file, signal);
      const f = i.files.get(file);
      return f ? { commit: i.commit, ...f } : { missing: true };
    },
    commit: () => known?.commit,
  };
}
