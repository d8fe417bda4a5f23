import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { goldenFile } from './golden-repos.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Cross-origin isolation, as a deployment of the demo must send it (threads need SharedArrayBuffer). */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** `bytes=a-b` / `bytes=a-` → [start, end] inclusive, or undefined when absent or unsatisfiable. */
function parseRange(header: string | undefined, size: number): [number, number] | 'bad' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d+)-(\d*)$/.exec(header);
  if (!m) return 'bad';
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start <= end ? [start, end] : 'bad';
}

/** Serves a file with Content-Length and single-range support (the browser source range-reads CLIP). */
async function sendFile(req: IncomingMessage, res: ServerResponse, from: { path: string } | { bytes: Uint8Array }, type: string): Promise<void> {
  const s = 'bytes' in from ? { size: from.bytes.byteLength } : await stat(from.path).then((st) => (st.isFile() ? st : undefined)).catch(() => undefined);
  if (!s) return notFound(res);
  const range = parseRange(req.headers.range, s.size);
  const head = { ...ISOLATION, 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' };
  if (range === 'bad') {
    res.writeHead(416, { ...head, 'Content-Range': `bytes */${s.size}` }).end();
    return;
  }
  const [start, end] = range ?? [0, s.size - 1];
  res.writeHead(range ? 206 : 200, {
    ...head,
    'Content-Length': end - start + 1,
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${s.size}` } : {}),
  });
  if (req.method === 'HEAD' || s.size === 0) return void res.end();
  if ('bytes' in from) res.end(from.bytes.subarray(start, end + 1));
  else createReadStream(from.path, { start, end }).pipe(res);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { ...ISOLATION, 'Content-Type': 'text/plain' });
  res.end('not found');
}

/** Hub-like URLs, `/<owner>/<name>/resolve/main/<file>`, answered from the golden folders. */
function hubFile(pathname: string): ReturnType<typeof goldenFile> {
  const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(pathname);
  return m ? goldenFile(m[1], decodeURIComponent(m[2])) : undefined;
}

/**
 * The test's web server on 127.0.0.1 (random port): the built app from `root` with COOP/COEP, and
 * the golden checkpoints under a hub URL scheme on the same origin. Counts requests per path so
 * tests can tell downloads from cache hits.
 */
export async function startServer(root: string): Promise<{ origin: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, ISOLATION).end();
      return;
    }
    const hub = hubFile(url.pathname);
    if (url.pathname.includes('/resolve/main/')) {
      if (!hub) return notFound(res);
      void sendFile(req, res, hub, 'application/octet-stream');
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    const path = join(root, rel);
    if (!path.startsWith(root + sep)) return notFound(res);
    void sendFile(req, res, { path }, TYPES[extname(path)] ?? 'application/octet-stream');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
