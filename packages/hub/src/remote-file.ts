import { checkRange, type FileHandle, MaskgenError, quote, throwIfAborted } from '@maskgen/core';
import { resolveUrl } from './hub-names.js';
import { parseContentRange, streamBody } from './body-stream.js';
import { type FileMetadata, announcedEtag, hubStatusError } from './file-metadata.js';
import type { RangeStore } from './file-store.js';
import { type HubHttp, TransportError } from './hub-http.js';

/** Options of a range-reading handle. */
export interface RemoteFileOptions {
  http: HubHttp;
  repoId: string;
  commit: string;
  file: string;
  meta: FileMetadata;
  /** Where ranges read are kept; without it every read goes to the network. */
  store?: RangeStore;
  /** Reads are widened to this alignment so neighbouring small reads share a request (default 4 MiB). */
  blockSize?: number;
  offline: boolean;
  metadataTimeoutMs: number;
  stallTimeoutMs: number;
  onBytes?(bytes: number): void;
}

/**
 * A FileHandle over a hub file read with HTTP Range requests against the commit-pinned URL: the
 * safetensors header first, then only the tensors a graph uses (CLIP's text tower, not its vision
 * tower). No localPath: runtimes pack the used ranges instead of mapping the file.
 */
export function remoteFile(o: RemoteFileOptions): FileHandle {
  const { meta, file } = o;
  const name = `${o.repoId}@${o.commit.slice(0, 12)}/${file}`;
  const block = o.blockSize ?? 4 << 20;
  return {
    name,
    size: meta.size,
    // Reads are checked against this ETag, so caches of what is built from the file may key on it.
    ...(meta.etag ? { contentId: meta.etag } : {}),
    async read(offset, length, opts) {
      checkRange(name, meta.size, offset, length);
      if (length === 0) return new Uint8Array(0);
      const signal = opts?.signal;
      if (!o.store) {
        const out = new Uint8Array(length);
        await fetchRange(o, offset, offset + length, signal, async (pos, chunk) => out.set(chunk, pos - offset));
        return out;
      }
      const store = o.store;
      const start = Math.floor(offset / block) * block;
      const end = Math.min(meta.size, Math.ceil((offset + length) / block) * block);
      for (const [a, b] of await store.missing(start, end)) {
        if (o.offline) {
          throw new MaskgenError(
            'OFFLINE',
            `${name}: bytes ${a}-${b} are not in the range cache and offline mode is on (HF_HUB_OFFLINE); run once online or use a local folder`,
          );
        }
        await fetchRange(o, a, b, signal, (pos, chunk) => store.write(pos, chunk));
        await store.commit(a, b);
      }
      return store.read(offset, length);
    },
    close: () => o.store?.close() ?? Promise.resolve(),
  };
}

/** GETs bytes [start, end) with retries, resuming after a drop at the last byte received. */
async function fetchRange(
  o: RemoteFileOptions,
  start: number,
  end: number,
  signal: AbortSignal | undefined,
  sink: (pos: number, chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  const { http, meta } = o;
  const hubOrigin = new URL(http.endpoint).origin;
  const same = (res: Response) => {
    const now = announcedEtag(res);
    if (now && meta.etag && now !== meta.etag) {
      throw new MaskgenError('DOWNLOAD_CORRUPT', `${o.repoId}/${o.file} changed on the server (ETag ${meta.etag} became ${now}); reopen the file`);
    }
  };
  let pos = start;
  let failures = 0;
  while (pos < end) {
    throwIfAborted(signal, `reading ${o.file}`);
    const before = pos;
    try {
      const r = await http.request(resolveUrl(http.endpoint, o.repoId, o.commit, o.file), {
        headers: { Range: `bytes=${pos}-${end - 1}` },
        timeoutMs: o.metadataTimeoutMs,
        signal,
        redirects: 'all',
        onRedirect: (res) => new URL(res.url || http.endpoint).origin === hubOrigin && same(res),
      });
      if (new URL(r.url).origin === hubOrigin && r.res.ok) same(r.res);
      const cr = parseContentRange(r.res.headers.get('content-range'));
      if (r.res.status !== 206 || !cr || cr.start !== pos || cr.end !== end - 1 || (cr.total !== undefined && cr.total !== meta.size)) {
        r.abort();
        if (!r.res.ok) throw hubStatusError(r.res, http.endpoint, o.repoId, o.commit, o.file);
        throw new MaskgenError(
          'NETWORK',
          `${http.endpoint} answered HTTP ${r.res.status} (${quote(r.res.headers.get('content-range'))}) to a range request for bytes ${pos}-${end - 1} of ${o.file}; a server without Range support cannot serve range reads: download the file instead`,
        );
      }
      await streamBody(r, o.stallTimeoutMs, signal, async (chunk) => {
        if (pos + chunk.byteLength > end) throw new MaskgenError('DOWNLOAD_CORRUPT', `${o.file}: the server sent more bytes than the range asked for`);
        await sink(pos, chunk);
        pos += chunk.byteLength;
        o.onBytes?.(chunk.byteLength);
      });
      if (pos < end) throw new TransportError(`${o.file}: range closed after ${pos - start} of ${end - start} bytes`, undefined);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      failures = pos > before ? 0 : failures + 1;
      if (failures > http.maxRetries)
        throw new MaskgenError('NETWORK', `range read of ${quote(o.file)} from ${o.repoId} kept failing: ${e.message}`, { cause: e });
      await new Promise((res) => setTimeout(res, http.backoff(failures)));
    }
  }
}
