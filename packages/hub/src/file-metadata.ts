import { MaskgenError, quote } from '@maskgen/core';
import { resolveUrl } from './hub-names.js';
import { type HubHttp, OFFLINE_ADVICE } from './hub-http.js';

/** What the hub says about one file at one revision: enough to cache and verify it. */
export interface FileMetadata {
  /** The commit the revision points to (X-Repo-Commit). */
  commit: string;
  /** sha256 for LFS files, the git blob id otherwise; also the blob's name in the cache. */
  etag: string;
  size: number;
  /** True when the content lives in LFS (the etag is then a sha256). */
  lfs: boolean;
}

/** `W/"abc"` and `"abc"` → `abc`, as huggingface_hub normalises ETags into blob names. */
export function normalizeEtag(etag: string | null): string | undefined {
  if (!etag) return undefined;
  return etag.replace(/^W\//, '').replace(/^"+|"+$/g, '') || undefined;
}

/** The content identifier a response announces (X-Linked-Etag on LFS redirects, else ETag). */
export function announcedEtag(res: Response): string | undefined {
  return normalizeEtag(res.headers.get('x-linked-etag') ?? res.headers.get('etag'));
}

/** Turns a hub error answer into the library's error, naming repo, revision and file. */
export function hubStatusError(res: Response, endpoint: string, repoId: string, revision: string, file: string): MaskgenError {
  const code = res.headers.get('x-error-code');
  const where = `${quote(file)} of ${repoId} at revision ${quote(revision)}`;
  if (code === 'EntryNotFound' || (res.status === 404 && !code)) {
    return new MaskgenError('NOT_FOUND', `${repoId} has no file ${quote(file)} at revision ${quote(revision)} (${endpoint})`);
  }
  if (code === 'RevisionNotFound') return new MaskgenError('NOT_FOUND', `${repoId} has no revision ${quote(revision)} (${endpoint})`);
  if (code === 'RepoNotFound') {
    return new MaskgenError('NOT_FOUND', `repo ${quote(repoId)} was not found on ${endpoint}; check the id, or set HF_TOKEN if it is private`);
  }
  if (res.status === 401 || res.status === 403 || code === 'GatedRepo') {
    return new MaskgenError(
      'UNAUTHORIZED',
      `${endpoint} refused access to ${where} (HTTP ${res.status}${code ? ` ${code}` : ''}); set HF_TOKEN to a token with access (gated repos must be accepted on the website first)`,
    );
  }
  return new MaskgenError('NETWORK', `${endpoint} answered HTTP ${res.status} for ${where}; ${OFFLINE_ADVICE}`);
}

/**
 * HEAD on the resolve URL, following only relative redirects (renamed repos) so that an LFS file's
 * 302 and its X-Linked-Etag/X-Linked-Size stay visible, exactly like huggingface_hub. A 404 for the
 * file itself comes back as `{ missing }` with the commit, so the miss can be cached.
 */
export async function fetchMetadata(
  http: HubHttp,
  repoId: string,
  revision: string,
  file: string,
  o: { timeoutMs: number; signal?: AbortSignal },
): Promise<FileMetadata | { missing: true; commit: string | undefined }> {
  const { res } = await http.request(resolveUrl(http.endpoint, repoId, revision, file), { method: 'HEAD', redirects: 'relative', ...o });
  await res.body?.cancel().catch(() => {});
  const commit = res.headers.get('x-repo-commit') ?? undefined;
  if (res.status === 404 && res.headers.get('x-error-code') === 'EntryNotFound') return { missing: true, commit };
  const redirected = res.status >= 300 && res.status < 400;
  if (!res.ok && !redirected) throw hubStatusError(res, http.endpoint, repoId, revision, file);
  const etag = announcedEtag(res);
  const sizeHeader = res.headers.get('x-linked-size') ?? (redirected ? null : res.headers.get('content-length'));
  const size = sizeHeader === null ? Number.NaN : Number(sizeHeader);
  if (
    !commit ||
    !/^[0-9a-f]{40}$/.test(commit) ||
    !etag ||
    !/^[0-9A-Za-z_-][0-9A-Za-z._-]{0,127}$/.test(etag) ||
    etag.includes('..') ||
    !Number.isSafeInteger(size) ||
    size < 0
  ) {
    throw new MaskgenError(
      'NETWORK',
      `${http.endpoint} did not answer like a Hugging Face hub for ${quote(file)} of ${repoId} (X-Repo-Commit ${quote(commit)}, ETag ${quote(etag)}, size ${quote(sizeHeader)}); check HF_ENDPOINT and any proxy`,
    );
  }
  return { commit, etag, size, lfs: res.headers.has('x-linked-etag') || /^[0-9a-f]{64}$/.test(etag) };
}
