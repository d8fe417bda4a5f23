import { MaskgenError, throwIfAborted } from '@maskgen/core';

/** Retry policy for 408/429/5xx answers and dropped connections (exponential backoff with jitter). */
export interface RetryOptions {
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First backoff delay (default 500 ms); doubles each attempt. */
  baseDelayMs?: number;
  /** Longest single wait, Retry-After included (default 30 s). */
  maxDelayMs?: number;
  /**
   * Told before each backoff wait, so a UI can say "retrying (2/4)" instead of looking stuck for the
   * seconds the retries take. Not part of the policy: any callback is ignored when comparing settings.
   */
  onRetry?: (info: RetryInfo) => void;
}

/** One retry about to happen: which attempt, how long the wait is, and what failed. */
export interface RetryInfo {
  url: string;
  /** 1 for the first retry. */
  attempt: number;
  retries: number;
  delayMs: number;
  /** The HTTP status that is retried, or 0 for a request that got no answer. */
  status: number;
  reason: string;
}

/** A response plus the way to cut its body off (stalled transfers, cancelled reads). */
export interface HubResponse {
  res: Response;
  url: string;
  abort(): void;
}

/** The retry policy with huggingface_hub-like defaults (4 retries from 500 ms, waits capped at 30 s), for every source. */
export function retryPolicy(o: RetryOptions = {}): Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'> {
  return { retries: o.retries ?? 4, baseDelayMs: o.baseDelayMs ?? 500, maxDelayMs: o.maxDelayMs ?? 30_000, onRetry: o.onRetry };
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** The advice every "cannot reach the hub" message ends with. */
export const OFFLINE_ADVICE =
  'set HF_ENDPOINT to a reachable mirror, or set HF_HUB_OFFLINE=1 to use files already in the cache, or load the model from a local folder';

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(new MaskgenError('ABORTED', 'download was aborted', { cause: signal?.reason }));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * fetch with the hub's conventions: the token only goes to the endpoint's origin (never to the CDN a
 * redirect points at), redirects are followed by hand so each hop's headers can be checked, a header
 * timeout turns a silent server into a retry, and 408/429/5xx/transport errors back off and retry.
 */
export class HubHttp {
  private readonly origin: string;

  constructor(
    private readonly fetchFn: typeof fetch,
    readonly endpoint: string,
    private readonly token: string | undefined,
    private readonly retry: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>,
    /**
     * 'manual' (Node): hops are followed here so the token never leaves the hub's origin and LFS
     * headers stay visible. 'follow' (browsers, where manual redirects are opaque): the browser follows
     * and itself drops Authorization on a cross-origin hop.
     */
    private readonly redirectMode: 'manual' | 'follow' = 'manual',
  ) {
    this.origin = new URL(endpoint).origin;
  }

  private headers(url: string, extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> =
      this.redirectMode === 'manual' ? { 'Accept-Encoding': 'identity', 'User-Agent': 'maskgen.js (@maskgen/hub)', ...extra } : { ...extra };
    if (this.token && new URL(url).origin === this.origin) h.Authorization = `Bearer ${this.token}`;
    return h;
  }

  /** One attempt; rejects on transport errors, resolves with any HTTP status. */
  private async once(url: string, method: string, extra: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<HubResponse> {
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ac.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const res = await this.fetchFn(url, { method, headers: this.headers(url, extra), redirect: this.redirectMode, signal: ac.signal });
      return { res, url: res.url || url, abort: () => ac.abort(new Error('body cancelled')) };
    } catch (cause) {
      throwIfAborted(signal, 'download');
      const reason = ac.signal.aborted ? (ac.signal.reason as Error) : ((cause as Error).cause ?? cause);
      throw new TransportError(`${method} ${url} failed: ${(reason as Error)?.message ?? String(reason)}`, cause);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Sends a request, following redirects ('all', or 'relative' only as huggingface_hub does for the
   * metadata HEAD so the LFS redirect's X-Linked-* headers stay visible), with retries and backoff.
   */
  async request(
    url: string,
    o: {
      method?: string;
      headers?: Record<string, string>;
      timeoutMs: number;
      signal?: AbortSignal;
      redirects: 'all' | 'relative';
      onRedirect?: (res: Response) => void;
    },
  ): Promise<HubResponse> {
    const method = o.method ?? 'GET';
    for (let attempt = 0; ; attempt++) {
      let current = url;
      let out: HubResponse | undefined;
      let failure: TransportError | undefined;
      try {
        for (let hop = 0; ; hop++) {
          out = await this.once(current, method, o.headers ?? {}, o.timeoutMs, o.signal);
          const loc = out.res.headers.get('location');
          if (out.res.status < 300 || out.res.status >= 400 || !loc || hop >= 5) break;
          if (o.redirects === 'relative' && !(loc.startsWith('/') && !loc.startsWith('//'))) break;
          o.onRedirect?.(out.res);
          await out.res.body?.cancel();
          current = new URL(loc, current).toString();
        }
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        failure = e;
      }
      const status = out?.res.status ?? 0;
      const retryable = failure !== undefined || RETRY_STATUS.has(status);
      if (!retryable) return out!;
      if (attempt >= this.retry.retries) {
        if (failure)
          throw new MaskgenError('NETWORK', `cannot reach the hub at ${this.endpoint}: ${failure.message}; ${OFFLINE_ADVICE}`, { cause: failure.cause });
        return out!;
      }
      await out?.res.body?.cancel().catch(() => {});
      const delayMs = this.backoff(attempt, out?.res);
      this.retry.onRetry?.({ url, attempt: attempt + 1, retries: this.retry.retries, delayMs, status, reason: failure?.message ?? `HTTP ${status}` });
      await sleep(delayMs, o.signal);
    }
  }

  /** Exponential backoff with jitter; a server's Retry-After (seconds) wins, capped at maxDelayMs. */
  backoff(attempt: number, res?: Response): number {
    const header = res?.headers.get('retry-after');
    const after = header ? Number(header) : Number.NaN;
    const base = Number.isFinite(after) && after >= 0 ? after * 1000 : this.retry.baseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
    return Math.min(base, this.retry.maxDelayMs);
  }

  /** Whether requests to the endpoint carry a token (answers may then differ from anonymous ones). */
  get hasToken(): boolean {
    return this.token !== undefined && this.token !== '';
  }

  get maxRetries(): number {
    return this.retry.retries;
  }
}

/** A request that got no HTTP answer (refused, reset, timed out): retryable. */
export class TransportError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'TransportError';
  }
}
