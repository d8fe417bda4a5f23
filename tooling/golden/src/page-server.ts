import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};
/** Cross-origin isolation: WASM threads (which run WebGPU's CPU-side ops) need SharedArrayBuffer. */
const HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
const page = (bundle: string) => `<!doctype html><meta charset="utf-8"><title>maskgen ${bundle}</title><script type="module" src="/${bundle}.js"></script>`;

/** onnxruntime-web's dist folder (the page's `wasmPaths`), resolved through the package's exports. */
function ortDist(): string {
  return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
}

/**
 * The runner's page server on 127.0.0.1 (random port): the page bundle (`dist/browser/<bundle>.js` built
 * next to the CLI: `golden-page`, or the Chromium bench's `bench-page`), ORT's wasm files under `/ort/`, and files under `roots` at `/fs/<absolute path>`
 * (nothing outside them). Closed by the runner.
 */
export async function startPageServer(
  roots: string[],
  bundle = 'golden-page',
): Promise<{ origin: string; urlOf(path: string): string; close(): Promise<void> }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundleFile = join(here, 'browser', `${bundle}.js`);
  const ort = ortDist();
  const allowed = roots.map((r) => resolve(r));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    let file: string | undefined;
    if (path === '/') return void res.writeHead(200, { ...HEADERS, 'Content-Type': TYPES['.html'] }).end(page(bundle));
    if (path === `/${bundle}.js`) file = bundleFile;
    else if (path.startsWith('/ort/') && !path.slice(5).includes('/')) file = join(ort, path.slice(5));
    else if (path.startsWith('/fs/')) {
      const p = resolve('/', path.slice(4));
      if (allowed.some((r) => p.startsWith(r + sep))) file = p;
    }
    if (!file) return void res.writeHead(404, HEADERS).end('not found');
    const f = file;
    void stat(f)
      .then((s) => {
        if (!s.isFile()) throw new Error('not a file');
        // Byte ranges (one `bytes=a-b`), so the page can read multi-gigabyte weight files piece by piece.
        const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
        if (range) {
          const [start, end] = [Number(range[1]), Math.min(Number(range[2]), s.size - 1)];
          if (start > end) return void res.writeHead(416, { ...HEADERS, 'Content-Range': `bytes */${s.size}` }).end();
          res.writeHead(206, {
            ...HEADERS,
            'Content-Type': 'application/octet-stream',
            'Content-Length': end - start + 1,
            'Content-Range': `bytes ${start}-${end}/${s.size}`,
          });
          return void createReadStream(f, { start, end }).pipe(res);
        }
        res.writeHead(200, { ...HEADERS, 'Content-Type': TYPES[extname(f)] ?? 'application/octet-stream', 'Content-Length': s.size });
        createReadStream(f).pipe(res);
      })
      .catch(() => res.writeHead(404, HEADERS).end('not found'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    urlOf: (p) => `${origin}/fs${resolve(p).split(sep).map(encodeURIComponent).join('/')}/`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
