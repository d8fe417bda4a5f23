import { MaskgenError } from '@maskgen/core';
import { type HubResponse, TransportError } from './hub-http.js';

/**
 * Streams a response body chunk by chunk. A body that sends nothing for `stallMs` is cut off and
 * reported as a transport error (to be resumed), and the caller's signal cancels it mid-body.
 */
export async function streamBody(
  r: HubResponse,
  stallMs: number,
  signal: AbortSignal | undefined,
  onChunk: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  const body = r.res.body;
  if (!body) return;
  const reader = body.getReader();
  const onAbort = () => r.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          r.abort();
          reject(new TransportError(`${r.url}: no data for ${stallMs} ms`, undefined));
        }, stallMs);
      });
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await Promise.race([reader.read(), stalled]);
      } catch (e) {
        if (signal?.aborted) throw new MaskgenError('ABORTED', 'download was aborted', { cause: signal.reason });
        if (e instanceof TransportError) throw e;
        throw new TransportError(`${r.url}: connection lost mid-body (${(e as Error)?.message ?? e})`, e);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) return;
      await onChunk(next.value);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    r.abort();
    try {
      reader.releaseLock();
    } catch {
      // a read still pending on an aborted body: nothing left to release
    }
  }
}

/** Parses `Content-Range: bytes a-b/total`. */
export function parseContentRange(header: string | null): { start: number; end: number; total: number | undefined } | undefined {
  const m = header ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}
