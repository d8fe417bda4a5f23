import { MaskgenError, quote, throwIfAborted } from '@maskgen/core';
import { resolveUrl } from '../hub-names.js';
import type { DownloadContext } from './blob-download.js';
import { parseContentRange, streamBody } from '../body-stream.js';
import type { WritableFile } from './cache-io.js';
import type { ContentCheck } from './content-check.js';
import { type FileMetadata, announcedEtag, hubStatusError } from '../file-metadata.js';
import { type HubResponse, TransportError } from '../hub-http.js';

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
  let failures = 0;
  while (have < meta.size) {
    throwIfAborted(ctx.signal, `download of ${file}`);
    const before = have;
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
      if (res.status === 416 || (res.status === 200 && have > 0)) {
        await out.truncate(0);
        check.reset();
        have = 0;
        ctx.onBytes(0);
        if (res.status === 416) continue;
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
      });
      if (have < meta.size) throw new TransportError(`${file}: the connection closed after ${have} of ${meta.size} bytes`, undefined);
    } catch (e) {
      r?.abort();
      if (!(e instanceof TransportError)) throw e;
      failures = have > before ? 0 : failures + 1;
      if (failures > http.maxRetries) throw new MaskgenError('NETWORK', `download of ${quote(file)} from ${repoId} kept failing: ${e.message}`, { cause: e });
      await new Promise((res) => setTimeout(res, http.backoff(failures)));
    }
  }
}
