import type { FileHandle, ModelSource, ProgressCallback, SourceOptions } from '@maskgen/core';
import type { CacheIo } from './cache-io.js';
import type { RetryOptions } from '../hub-http.js';
import type { Env, HubSettings } from './hub-settings.js';

/** Options of hubSource; every one defaults to what huggingface_hub would do on this machine. */
export interface HubSourceOptions {
  /** Branch, tag or 40-hex commit (default 'main'). A commit pins the content and skips ref look-ups. */
  revision?: string;
  /** Hub or mirror base URL (default $HF_ENDPOINT, else https://huggingface.co). */
  endpoint?: string;
  /** Access token (default $HF_TOKEN, else the token file of `huggingface-cli login`); false sends none. */
  token?: string | false;
  /** Cache folder shared with Python (default $HF_HUB_CACHE, else $HF_HOME/hub). */
  cacheDir?: string;
  /** Never touch the network (default $HF_HUB_OFFLINE). */
  offline?: boolean;
  /** Ask the hub which commit the revision points to even when the cache could answer (default false). */
  refresh?: boolean;
  /** Files read by HTTP range instead of downloaded whole; callers can also pass `{ access: 'ranges' }`. */
  rangeFiles?: readonly string[] | ((file: string) => boolean);
  /** Keep the byte ranges read by range handles on disk for the next run (default true). */
  cacheRanges?: boolean;
  /** Alignment of range reads (default 4 MiB). */
  rangeBlockSize?: number;
  retry?: RetryOptions;
  /**
   * Header timeout and body stall timeout (default $HF_HUB_ETAG_TIMEOUT / $HF_HUB_DOWNLOAD_TIMEOUT, else 10 s);
   * the overall deadline of one file (default $MASKGEN_HUB_DOWNLOAD_DEADLINE seconds, else 6 h) and the
   * minimum average rate over `rateWindowMs` (default $MASKGEN_HUB_MIN_RATE bytes/s, else 4096 over 60 s).
   */
  timeouts?: { metadataMs?: number; stallMs?: number; deadlineMs?: number; minBytesPerSecond?: number; rateWindowMs?: number };
  fetch?: typeof fetch;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Environment to read instead of process.env (tests, embedding). */
  env?: Env;
  /** File writes of the cache (tests simulate a full disk with it). */
  io?: CacheIo;
}

/** A ModelSource over one hub repo, plus the hub-specific operations. */
export interface HubSource extends ModelSource {
  readonly repoId: string;
  readonly revision: string;
  readonly settings: Readonly<HubSettings>;
  /** Downloads a file into the cache if needed and returns its snapshot path. */
  download(file: string, opts?: SourceOptions): Promise<string>;
  /** A handle that reads by HTTP range (or the cached file when it is already complete). */
  openRanges(file: string, opts?: SourceOptions): Promise<FileHandle>;
  /** The commit this source is pinned to, once the first file resolved it. */
  readonly commit: string | undefined;
}

export function anySignal(a?: AbortSignal, b?: AbortSignal): AbortSignal | undefined {
  return a && b ? AbortSignal.any([a, b]) : (a ?? b);
}
