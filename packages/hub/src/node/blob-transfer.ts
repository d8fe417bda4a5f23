import { MaskgenError, quote, throwIfAborted } from '@maskgen/core';
import { resolveUrl } from '../hub-names.js';
import type { DownloadContext } from './blob-download.js';
import { parseContentRange, streamBody } from '../body-stream.js';
import type { WritableFile } from './cache-io.js';
import type { ContentCheck } from './content-check.js';
import { type FileMetadata, announcedEtag, hubStatusError } from '../file-metadata.js';
import { type HubResponse, TransportError } from '../hub-http.js';

/** Limits every transfer runs under besides the stall timer; see docs/reliability.md. */
export interface TransferLimits {
  /** Overall deadline of one file's download, resumes included. */
  deadlineMs: number;
  /** Slowest accepted average rate over `rateWindowMs`; slower bodies are cut off and retried. */
  minBytesPerSecond: number;
  rateWindowMs: number;
}

/** 6 hours, and at least 4 KiB/s averaged over a minute. */
export const DEFAULT_TRANSFER_LIMITS: TransferLimits = { deadlineMs: 6 * 3600_000, minBytesPerSecond: 4096, rateWindowMs: 60_000 };

const LIMITS_ADVICE = 'try again later or use a mirror (HF_ENDPOINT); the limits are MASKGEN_HUB_DOWNLOAD_DEADLINE and MASKGEN_HUB_MIN_RATE';

/** The minimum-progress rule: bytes received per window, judged when a window has passed. */
class RateWindow {
  private start = Date.now();
  private bytes = 0;
  constructor(private readonly limits: TransferLimits) {}
  reset(): void {
    this.start = Date.now();
    this.bytes = 0;
  }
  /** Counts a chunk; returns why the transfer is too slow, or undefined. */
  add(n: number): string | undefined {
    this.bytes += n;
    const elapsed = Date.now() - this.start;
    if (elapsed < this.limits.rateWindowMs) return undefined;
    const rate = (this.bytes * 1000) / elapsed;
    this.reset();
    return rate < this.limits.minBytesPerSecond ? `too slow: ${rate.toFixed(1)} bytes/s over ${(elapsed / 1000).toFixed(1)} s, below the minimum of ${this.limits.minBytesPerSecond} bytes/s` : undefined;
  }
}

/** A rejected download; `changed` marks "the server now serves other content than the HEAD announced". */
export function corrupt(repoId: string, file: string, why: string, changed = false): MaskgenError {
  const e = new MaskgenError('DOWNLOAD_CORRUPT', `download of ${quote(file)} from ${repoId} was rejected: ${why}; nothing was cached, try again`);
  if (changed) Object.assign(e, { etagChanged: true });
  return e;
}

/** Streams the missing bytes into `out`, resuming after drops and stalls; reports bytes on disk via onBytes. */
export async function transfer(repoId: string, commit: string, file: string, meta: FileMetadata, ctx: DownloadContext, out: WritableFile, check: ContentCheck, start: number): Promise<void> {
  const { http } = ctx;
  const hubOrigin = new URL(http.endpoint).origin;
  const expectSame = (res: Response) => {
    const now = announcedEtag(res);
    if (now && now !== meta.etag) throw corrupt(repoId, file, `the file changed on the server while downloading (ETag ${meta.etag} became ${now})`, true);
  };
  let have = start;
  // Retries are counted over the whole transfer, resumes included (as huggingface_hub does): a server
  // that sends a byte and drops can no longer keep a download alive forever by resetting the count.
  let failures = 0;
  let restarts = 0;
  const limits = ctx.limits ?? DEFAULT_TRANSFER_LIMITS;
  const t0 = Date.now();
  const rate = new RateWindow(limits);
  const overDeadline = () => {
    if (Date.now() - t0 > limits.deadlineMs) {
      throw new MaskgenError('NETWORK', `download of ${quote(file)} from ${repoId} did not finish within ${limits.deadlineMs / 1000} s (${have} of ${meta.size} bytes); ${LIMITS_ADVICE}`);
    }
  };
  while (have < meta.size) {
    throwIfAborted(ctx.signal, `download of ${file}`);
    overDeadline();
    let r: HubResponse | undefined;
    try {
      r = await http.request(resolveUrl(http.endpoint, repoId, commit, file), {
        headers: have > 0 ? { Range: `bytes=${have}-` } : {},
        timeoutMs: ctx.metadataTimeoutMs,
        signal: ctx.signal,
        redirects: 'all',
        onRedirect: (res) => new URL(res.url || http.endpoint).origin === hubOrigin && expectSame(res),
      });
      const { res } = r;
      if (new URL(r.url).origin === hubOrigin && res.ok) expectSame(res);
      if (res.status === 416 && have > 0) {
        // The server says byte `have` is past its end although it announced more: its size disagrees
        // with the announcement. Restarting would loop forever; it is a verification failure.
        throw corrupt(repoId, file, `the server refused to resume at byte ${have} (416 Range Not Satisfiable, ${quote(res.headers.get('content-range'))}) although it announced ${meta.size} bytes`);
      }
      if (res.status === 200 && have > 0) {
        // A server without Range support sends the whole body again: start over, but only once.
        if (++restarts > 1) throw corrupt(repoId, file, `the server ignored the resume request twice and the body never reached the announced ${meta.size} bytes`);
        await out.truncate(0);
        check.reset();
        have = 0;
        ctx.onBytes(0);
      } else if (res.status === 206) {
        const cr = parseContentRange(res.headers.get('content-range'));
        if (!cr || cr.start !== have || (cr.total !== undefined && cr.total !== meta.size)) {
          throw corrupt(repoId, file, `the server answered bytes ${quote(res.headers.get('content-range'))} to a request for bytes ${have}- of ${meta.size}`);
        }
      } else if (!res.ok) {
        throw hubStatusError(res, http.endpoint, repoId, commit, file);
      }
      const declared = res.headers.get('content-length');
      if (declared !== null && Number(declared) !== meta.size - have) {
        throw corrupt(repoId, file, `the server sends ${declared} bytes where ${meta.size - have} remain of the announced ${meta.size}`);
      }
      await streamBody(r, ctx.stallTimeoutMs, ctx.signal, async (chunk) => {
        if (have + chunk.byteLength > meta.size) throw corrupt(repoId, file, `the server sent more than the announced ${meta.size} bytes`);
        await out.write(chunk, have);
        check.update(chunk);
        have += chunk.byteLength;
        ctx.onBytes(have);
        overDeadline();
        const slow = rate.add(chunk.byteLength);
        if (slow) throw new TransportError(`${file}: ${slow}`, undefined);
      });
      if (have < meta.size) throw new TransportError(`${file}: the connection closed after ${have} of ${meta.size} bytes`, undefined);
    } catch (e) {
      r?.abort();
      if (!(e instanceof TransportError)) throw e;
      failures += 1;
      rate.reset();
      if (failures > http.maxRetries) throw new MaskgenError('NETWORK', `download of ${quote(file)} from ${repoId} failed ${failures} times (retries are counted across resumes): ${e.message}; ${LIMITS_ADVICE}`, { cause: e });
      await new Promise((res) => setTimeout(res, http.backoff(failures)));
    }
  }
}
