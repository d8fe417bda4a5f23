import { MaskgenError, quote, throwIfAborted } from '@maskgen/core';
import { parseContentRange, streamBody } from './body-stream.js';
import type { ContentCheck } from './content-check.js';
import { type FileMetadata, announcedEtag, hubStatusError } from './file-metadata.js';
import type { FileWrite } from './file-store.js';
import { resolveUrl } from './hub-names.js';
import { type HubHttp, type HubResponse, TransportError } from './hub-http.js';
import { DEFAULT_TRANSFER_LIMITS, LIMITS_ADVICE, RateWindow, type TransferLimits, corrupt } from './transfer-limits.js';

/** What one whole-file transfer needs: the client, the file's identity, timeouts and a progress sink. */
export interface TransferContext {
  http: HubHttp;
  repoId: string;
  /** The commit (or, when the host names none, the revision) the file is requested at. */
  at: string;
  file: string;
  meta: FileMetadata;
  metadataTimeoutMs: number;
  stallTimeoutMs: number;
  /** Deadline and minimum rate (default DEFAULT_TRANSFER_LIMITS). */
  limits?: TransferLimits;
  signal?: AbortSignal;
  /** Bytes of the file now written (absolute). */
  onBytes(loaded: number): void;
}

/**
 * Streams the missing bytes of a file into `out` from byte `start`, resuming after drops and stalls
 * (Range), refusing bodies that disagree with the announced size or ETag. Retries are counted over the
 * whole transfer, resumes included (as huggingface_hub does), so a server that sends a byte and drops
 * cannot keep a download alive forever.
 */
export async function transferBody(ctx: TransferContext, out: FileWrite, check: ContentCheck, start: number): Promise<void> {
  const { http, meta, repoId, file } = ctx;
  const hubOrigin = new URL(http.endpoint).origin;
  const expectSame = (res: Response) => {
    const now = announcedEtag(res);
    if (now && meta.etag && now !== meta.etag)
      throw corrupt(repoId, file, `the file changed on the server while downloading (ETag ${meta.etag} became ${now})`, true);
  };
  let have = start;
  let failures = 0;
  let restarts = 0;
  const limits = ctx.limits ?? DEFAULT_TRANSFER_LIMITS;
  const t0 = Date.now();
  const rate = new RateWindow(limits);
  const overDeadline = () => {
    if (Date.now() - t0 > limits.deadlineMs) {
      throw new MaskgenError(
        'NETWORK',
        `download of ${quote(file)} from ${repoId} did not finish within ${limits.deadlineMs / 1000} s (${have} of ${meta.size} bytes); ${LIMITS_ADVICE}`,
      );
    }
  };
  while (have < meta.size) {
    throwIfAborted(ctx.signal, `download of ${file}`);
    overDeadline();
    let r: HubResponse | undefined;
    try {
      r = await http.request(resolveUrl(http.endpoint, repoId, ctx.at, file), {
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
        throw corrupt(
          repoId,
          file,
          `the server refused to resume at byte ${have} (416 Range Not Satisfiable, ${quote(res.headers.get('content-range'))}) although it announced ${meta.size} bytes`,
        );
      }
      if (res.status === 200 && have > 0) {
        // A server without Range support sends the whole body again: start over, but only once.
        if (++restarts > 1)
          throw corrupt(repoId, file, `the server ignored the resume request twice and the body never reached the announced ${meta.size} bytes`);
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
        throw hubStatusError(res, http.endpoint, repoId, ctx.at, file);
      }
      const declared = res.headers.get('content-encoding') ? null : res.headers.get('content-length');
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
      if (failures > http.maxRetries)
        throw new MaskgenError(
          'NETWORK',
          `download of ${quote(file)} from ${repoId} failed ${failures} times (retries are counted across resumes): ${e.message}; ${LIMITS_ADVICE}`,
          { cause: e },
        );
      await new Promise((res) => setTimeout(res, http.backoff(failures)));
    }
  }
}
