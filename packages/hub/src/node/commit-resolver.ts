import { MaskgenError, quote } from '@maskgen/core';
import { type FileMetadata, fetchMetadata } from '../file-metadata.js';
import type { HubHttp } from '../hub-http.js';
import type { HubSettings } from './hub-settings.js';
import type { RepoCache } from './repo-cache.js';

/** Branch → commit as resolved by the hub in this process, so a branch is asked for once per repo. */
const processCommits = new Map<string, string>();

/**
 * Decides which commit a source reads: the revision if it is a commit, else the first commit the
 * cache's ref or the hub names; every later file comes from that same commit, so a push to the repo
 * during a load can never mix a new config with old weights.
 */
export class CommitResolver {
  pinned: string | undefined;

  constructor(
    private readonly cache: RepoCache,
    private readonly http: HubHttp,
    private readonly settings: HubSettings,
    private readonly revision: string,
    private readonly refresh: boolean,
  ) {
    this.pinned = /^[0-9a-f]{40}$/.test(revision) ? revision : refresh ? undefined : processCommits.get(this.key);
  }

  private get key(): string {
    return `${this.settings.endpoint} ${this.settings.cacheDir} ${this.cache.repoId} ${this.revision}`;
  }

  /** The commit to look in without asking the hub: pinned, else the cached ref (unless refreshing). */
  async known(): Promise<string | undefined> {
    if (this.pinned) return this.pinned;
    if (this.refresh && !this.settings.offline) return undefined;
    return this.cache.readRef(this.revision);
  }

  /** The snapshot path of a cached file, or undefined; a hit pins the commit. */
  async cached(file: string): Promise<string | undefined> {
    const commit = await this.known();
    if (!commit || (await this.cache.cachedSize(commit, file)) === undefined) return undefined;
    this.pinned ??= commit;
    return this.cache.pointerPath(commit, file);
  }

  /** HEAD for a file, pinning the commit and recording the ref; a 404 is cached under .no_exist like Python does. */
  async metadata(file: string, signal?: AbortSignal): Promise<FileMetadata> {
    const asked = this.pinned ?? this.revision;
    const m = await fetchMetadata(this.http, this.cache.repoId, asked, file, { timeoutMs: this.settings.metadataTimeoutMs, signal });
    if ('missing' in m) {
      if (m.commit) await this.cache.markNoExist(m.commit, file).catch(() => {});
      const e = new MaskgenError('NOT_FOUND', `${this.cache.repoId} has no file ${quote(file)} at revision ${quote(asked)} (${this.settings.endpoint})`);
      throw Object.assign(e, { fileMissing: true });
    }
    this.pinned ??= m.commit;
    if (m.commit !== this.pinned) {
      throw new MaskgenError('NETWORK', `${this.settings.endpoint} answered commit ${m.commit} for the pinned commit ${this.pinned} of ${this.cache.repoId}`);
    }
    if (this.revision !== m.commit) {
      processCommits.set(this.key, m.commit);
      await this.cache.writeRef(this.revision, m.commit).catch(() => {});
    }
    return m;
  }

  /** With `refresh`, an unreachable hub falls back to the cached ref's file, as huggingface_hub does. */
  async fallback(file: string, e: unknown): Promise<string | undefined> {
    if (!this.refresh || this.pinned || !(e instanceof MaskgenError) || e.code !== 'NETWORK') return undefined;
    const ref = await this.cache.readRef(this.revision);
    if (!ref || (await this.cache.cachedSize(ref, file)) === undefined) return undefined;
    this.pinned = ref;
    return this.cache.pointerPath(ref, file);
  }
}
