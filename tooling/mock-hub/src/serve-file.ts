import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { delayHeaders, sendBody, shapeBody } from './faults.js';
import { parseRange } from './http-range.js';
import type { ServedFile } from './repo-files.js';
import type { MockFault } from './types.js';

/** The content a request gets after an `etag-change` fault: the file as if someone pushed a new version. */
export function changedVersion(file: ServedFile): ServedFile {
  const bytes = new Uint8Array(file.bytes.byteLength + 1);
  bytes.set(file.bytes);
  bytes[bytes.byteLength - 1] = 0x0a;
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    gitSha1: createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex'),
    lfs: file.lfs,
  };
}

/**
 * Sends a file body with the hub's semantics: HEAD gets headers only, Range gets 206 with
 * Content-Range (416 when unsatisfiable), then the transfer faults apply to the bytes sent.
 */
export async function serveBytes(
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
  full: Uint8Array,
  fault: MockFault | undefined,
  stalled: Set<ServerResponse>,
): Promise<number> {
  await delayHeaders(fault);
  if (fault?.kind === 'short-chunked' && req.method === 'GET')
    return serveShort(req, res, headers, full.subarray(0, Math.max(0, full.byteLength - fault.missing)));
  const range = fault?.kind === 'ignore-range' ? undefined : parseRange(req.headers.range, full.byteLength);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Accept-Ranges', 'bytes');
  if (range === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${full.byteLength}`);
    res.end();
    return 416;
  }
  let body = full;
  if (range) {
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${full.byteLength}`);
    body = full.subarray(range.start, range.end + 1);
  } else {
    res.statusCode = 200;
  }
  body = shapeBody(body, fault);
  res.setHeader('Content-Length', String(body.byteLength));
  if (req.method === 'HEAD') {
    res.end();
    return res.statusCode;
  }
  await sendBody(res, body, fault, stalled);
  return res.statusCode;
}

/** The `short-chunked` fault: the real (shorter) bytes, chunked, and 416 past their end. */
function serveShort(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, real: Uint8Array): number {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const range = parseRange(req.headers.range, real.byteLength);
  if (range === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${real.byteLength}`);
    res.end();
    return 416;
  }
  res.statusCode = range ? 206 : 200;
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/*`);
  res.write(range ? real.subarray(range.start, range.end + 1) : real);
  res.end();
  return res.statusCode;
}

/** Ends a request with an error status and the hub's X-Error-Code/X-Error-Message headers. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string | undefined,
  message: string,
  extra: Record<string, string> = {},
  retryAfter?: number,
): number {
  res.statusCode = status;
  if (code) res.setHeader('X-Error-Code', code);
  res.setHeader('X-Error-Message', message);
  if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'text/plain');
  res.end(res.req.method === 'HEAD' ? undefined : message);
  return status;
}
