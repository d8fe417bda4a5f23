/**
 * A repo served from an arbitrary folder (e.g. a golden case), so tests can serve checkpoints
 * under their real hub names without copying gigabytes into a repo-shaped tree.
 */
export interface MockRepo {
  /** Folder holding the files. */
  dir: string;
  /** Repo file name → file name inside `dir`; when absent every file of `dir` is served as itself. */
  files?: Record<string, string>;
  /** The 40-hex commit announced in X-Repo-Commit (default: derived from the repo id). */
  commit?: string;
  /** Branch or tag names accepted besides the commit (default ['main']). */
  revisions?: string[];
  /** Earlier commits still served as themselves (what `moveBranch` leaves behind, as the hub keeps history). */
  formerCommits?: string[];
}

/**
 * What can go wrong on the wire. Each is what a flaky mirror, a proxy or the real hub has done to
 * downloads, so the client's recovery paths run in tests instead of in users' terminals.
 */
export type MockFault =
  /** Answer with this HTTP status (429, 500, 503, 404, …), optionally with Retry-After seconds. */
  | { kind: 'status'; status: number; retryAfter?: number; errorCode?: string }
  /** Send the headers and `afterBytes` body bytes, then destroy the connection. */
  | { kind: 'drop'; afterBytes: number }
  /** Send `afterBytes` body bytes, then nothing (the socket stays open): a stalled transfer. */
  | { kind: 'stall'; afterBytes: number }
  /** Serve a body `delta` bytes shorter (negative: longer) than the real file, with a matching Content-Length. */
  | { kind: 'wrong-length'; delta?: number }
  /** Flip one byte of the body (at `at`, default the middle) while keeping every header. */
  | { kind: 'corrupt'; at?: number }
  /** Throttle the body to `bytesPerSecond` (default 64 KiB/s), or delay the headers by `delayMs`. */
  | { kind: 'slow'; bytesPerSecond?: number; delayMs?: number }
  /** Answer Range requests with 200 and the whole body, as servers without range support do. */
  | { kind: 'ignore-range' }
  /** The file changed since the HEAD: serve other content with its own ETag (a push between two requests). */
  | { kind: 'etag-change' }
  /**
   * The size announced by HEAD is `missing` bytes more than the server really has: GETs get a chunked
   * body (no Content-Length) that ends early, and a resume past the real end gets 416.
   */
  | { kind: 'short-chunked'; missing: number }
  /** Send one body byte every `intervalMs` (a CDN that never quite stalls). */
  | { kind: 'trickle'; intervalMs: number };

/** A fault and which requests it hits; it is consumed after `times` hits (default 1). */
export interface FaultRule {
  fault: MockFault;
  method?: 'HEAD' | 'GET';
  /** Repo file name (exact, or a pattern) the request is for. */
  file?: string | RegExp;
  /** Pattern on the request path (e.g. /^\/cdn\// for CDN requests only). */
  path?: RegExp;
  /** How many matching requests it hits; Infinity for all. */
  times?: number;
}

/** One request the server saw, for assertions like "a cache hit made no request". */
export interface RecordedRequest {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
  status: number;
  /** The repo file the request was for, when it was one. */
  file?: string;
  repo?: string;
  /** True for requests to the CDN path (after an LFS redirect). */
  cdn: boolean;
}

/** Options of startMockHub. */
export interface MockHubOptions {
  /** A folder laid out as `${root}/${owner}/${name}/${file}`. */
  root?: string;
  /** Repos served from arbitrary folders (checked before `root`). */
  repos?: Record<string, MockRepo>;
  /** Files at least this big, or with an LFS extension, are LFS files (default 10 MiB). */
  lfsThreshold?: number;
  /** Redirect LFS files to a `/cdn/…` path as the real hub does (default true). */
  redirectLfs?: boolean;
  /** Faults active from the start. */
  faults?: FaultRule[];
  /** Token required in `Authorization: Bearer …` (default: none required). */
  requireToken?: string;
}

/** A running mock hub. */
export interface MockHub {
  /** Base URL, e.g. http://127.0.0.1:41234 (use as HF_ENDPOINT). */
  readonly url: string;
  /** Every request seen so far, in order. */
  readonly requests: RecordedRequest[];
  /** Adds a fault rule. */
  setFault(rule: FaultRule): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** The commit the hub announces for a repo id. */
  commitOf(repoId: string): string;
  /**
   * Points the repo's branches at another commit (a push): its files stay, the old commit is still
   * served by its hash, and `main` now answers `commit`, so machines with the old ref cached disagree.
   */
  moveBranch(repoId: string, commit: string): void;
  /** Stops the server and destroys open connections (stalled ones included). */
  close(): Promise<void>;
}
