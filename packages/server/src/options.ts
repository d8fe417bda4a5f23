import type { TextToImage } from '@maskgen/pipeline';

/** How `createImageServer` loads its model and what it allows; every bound has a safe default. */
export interface ImageServerOptions {
  /** Loads the model once (e.g. `createTextToImage(id, { runtime: nodeRuntime(), … })`); the server answers /healthz meanwhile. */
  load: (signal: AbortSignal) => Promise<TextToImage>;
  /** Required `Authorization: Bearer <token>` on every route but /healthz, /readyz and image URLs. */
  token?: string;
  /** Generations running at once (default 1: one model run already uses every thread it is given). */
  concurrency?: number;
  /** Requests waiting beyond those running before 429 (default 8). */
  maxQueue?: number;
  /** Per-request limit, queue wait included, in ms (default 300 000); past it the generation is cancelled and 504 sent. */
  timeoutMs?: number;
  /** Largest request body in bytes (default 64 KiB). */
  bodyLimit?: number;
  /** Longest prompt in characters (default 1000, OpenAI's dall-e-2 limit; CLIP reads 77 tokens anyway). */
  maxPromptChars?: number;
  /** Most images per request, `n` (default 4). */
  maxImages?: number;
  /** Most sampling steps a request may ask for (default 100). */
  maxSteps?: number;
  /** CORS: off by default; `true` allows every origin, a list allows those origins. */
  cors?: boolean | string[];
  /** Base of the URLs returned for `response_format: "url"` (default: from the request's Host). */
  publicUrl?: string;
  /** How long images stay fetchable by URL, in ms (default 1 h), and how many are kept (default 256). */
  urlTtlMs?: number;
  maxStoredImages?: number;
  /** Called with one-line status messages (loading, ready, draining). */
  log?: (line: string) => void;
}

/** The options with defaults filled in. */
export type ResolvedOptions = Required<Omit<ImageServerOptions, 'token' | 'publicUrl' | 'log'>> &
  Pick<ImageServerOptions, 'token' | 'publicUrl'> & { log: (line: string) => void };

/** Fills defaults and checks the numbers, so a bad flag fails at start and not on the first request. */
export function resolveOptions(o: ImageServerOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    load: o.load,
    token: o.token || undefined,
    concurrency: o.concurrency ?? 1,
    maxQueue: o.maxQueue ?? 8,
    timeoutMs: o.timeoutMs ?? 300_000,
    bodyLimit: o.bodyLimit ?? 64 * 1024,
    maxPromptChars: o.maxPromptChars ?? 1000,
    maxImages: o.maxImages ?? 4,
    maxSteps: o.maxSteps ?? 100,
    cors: o.cors ?? false,
    publicUrl: o.publicUrl?.replace(/\/+$/, ''),
    urlTtlMs: o.urlTtlMs ?? 3_600_000,
    maxStoredImages: o.maxStoredImages ?? 256,
    log: o.log ?? (() => undefined),
  };
  const positive = ['concurrency', 'timeoutMs', 'bodyLimit', 'maxPromptChars', 'maxImages', 'maxSteps', 'urlTtlMs', 'maxStoredImages'] as const;
  for (const k of positive) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new RangeError(`${k}: expected a positive integer, got ${String(r[k])}`);
  }
  if (!Number.isInteger(r.maxQueue) || r.maxQueue < 0) throw new RangeError(`maxQueue: expected an integer ≥ 0, got ${String(r.maxQueue)}`);
  return r;
}
