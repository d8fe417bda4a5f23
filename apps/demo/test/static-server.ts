import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { CLIP_REPO, requireZooEntry } from '@maskgen/pipeline';
import { GOLDEN_REPOS, goldenFile } from './golden-repos.js';

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

/** A file too big to hold: its first bytes (a safetensors header), then zeros; only ranges of it can be read. */
interface VirtualFile {
  size: number;
  head: Uint8Array;
}

/** A safetensors file whose one float32 tensor is `rows × cols` (the header is real, the data is not). */
function virtualSafetensors(rows: number, cols: number): VirtualFile {
  const json = new TextEncoder().encode(JSON.stringify({ 'model.weight': { dtype: 'F32', shape: [rows, cols], data_offsets: [0, rows * cols * 4] } }));
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(json, 8);
  return { size: head.length + rows * cols * 4, head };
}

/** Repo ids served with made-up weights: `test/too-big` holds 2.3 GB of float32 (over runtime-web's limit; 0.6 GB in int8). */
export const TOO_BIG_REPO = 'test/too-big';
/** A zoo generator served under its real id (golden files), with its zoo tokenizer and CLIP: the picker can size it. */
export const SERVED_ZOO_MODEL = 'turkeyju/generator_maskgen_vq_l';

type Served = () => { path: string } | VirtualFile | { bytes: Uint8Array };

/** The files of golden repo `from`, served under the repo id `as`. */
function goldenAs(from: string, files: readonly string[]): Record<string, Served> {
  return Object.fromEntries(files.map((f) => [f, () => goldenFile(from, f)!]));
}

function zooTokenizer(id: string): string {
  const e = requireZooEntry(id, 'generator');
  return e.kind === 'generator' ? e.tokenizer : id;
}

const CHECKPOINT = ['config.json', 'model.safetensors'];
const VIRTUAL: Record<string, Record<string, Served>> = {
  [TOO_BIG_REPO]: {
    'config.json': () => goldenFile(GOLDEN_REPOS.generator, 'config.json')!,
    'model.safetensors': () => virtualSafetensors(24_000, 24_000),
  },
  [SERVED_ZOO_MODEL]: goldenAs(GOLDEN_REPOS.generator, CHECKPOINT),
  [zooTokenizer(SERVED_ZOO_MODEL)]: goldenAs(GOLDEN_REPOS.tokenizer, CHECKPOINT),
  [CLIP_REPO]: goldenAs(GOLDEN_REPOS.textEncoder, [...CHECKPOINT, 'bpe_simple_vocab_16e6.txt.gz']),
};

/** Serves a file with Content-Length and single-range support (the browser source range-reads CLIP). */
async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  from: { path: string } | { bytes: Uint8Array } | VirtualFile,
  type: string,
  isolation: boolean,
): Promise<void> {
  const s =
    'bytes' in from
      ? { size: from.bytes.byteLength }
      : 'head' in from
        ? { size: from.size }
        : await stat(from.path)
            .then((st) => (st.isFile() ? st : undefined))
            .catch(() => undefined);
  if (!s) return notFound(res, isolation);
  const range = parseRange(req.headers.range, s.size);
  const head = { ...(isolation ? ISOLATION : {}), 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' };
  if ('head' in from && req.method === 'GET' && (!range || range === 'bad' || range[1] - range[0] > 16 << 20)) {
    res.writeHead(500, head).end('test server: refusing to send gigabytes of a made-up file');
    return;
  }
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
  if ('head' in from) {
    const out = new Uint8Array(end - start + 1);
    out.set(from.head.subarray(start, Math.min(end + 1, from.head.length)));
    res.end(out);
  } else if ('bytes' in from) res.end(from.bytes.subarray(start, end + 1));
  else createReadStream(from.path, { start, end }).pipe(res);
}

function notFound(res: ServerResponse, isolation: boolean, hubCode?: string): void {
  // As the hub answers: an unknown repo is 401 RepoNotFound (it might be private), a missing file 404 EntryNotFound.
  res.writeHead(hubCode === 'RepoNotFound' ? 401 : 404, {
    ...(isolation ? ISOLATION : {}),
    'Content-Type': 'text/plain',
    ...(hubCode ? { 'X-Error-Code': hubCode } : {}),
  });
  res.end('not found');
}

/** Hub-like URLs, `/<owner>/<name>/resolve/main/<file>`, answered from the golden folders (or made-up repos). */
function hubFile(pathname: string): NonNullable<ReturnType<typeof goldenFile>> | VirtualFile | 'RepoNotFound' | 'EntryNotFound' {
  const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(pathname);
  if (!m) return 'RepoNotFound';
  const [repo, file] = [m[1], decodeURIComponent(m[2])];
  const virtual = VIRTUAL[repo];
  if (virtual) return virtual[file]?.() ?? 'EntryNotFound';
  if (!goldenFile(repo, 'config.json')) return 'RepoNotFound';
  return goldenFile(repo, file) ?? 'EntryNotFound';
}

/** One request the server answered, for "nothing was downloaded" assertions. */
export interface LoggedRequest {
  method: string;
  path: string;
  range?: string;
}

/**
 * The test's web server on 127.0.0.1 (random port): the built app from `root` with COOP/COEP (or, with
 * `isolation: false`, as a plain static host such as GitHub Pages serves it), and the golden checkpoints
 * under a hub URL scheme on the same origin. Counts requests per path so tests can tell downloads from
 * cache hits.
 */
export async function startServer(
  root: string,
  o: { isolation?: boolean } = {},
): Promise<{ origin: string; hits: Map<string, number>; log: LoggedRequest[]; close(): Promise<void> }> {
  const isolation = o.isolation ?? true;
  const hits = new Map<string, number>();
  const log: LoggedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    log.push({ method: req.method ?? 'GET', path: url.pathname, ...(req.headers.range ? { range: req.headers.range } : {}) });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, isolation ? ISOLATION : {}).end();
      return;
    }
    if (url.pathname.includes('/resolve/main/')) {
      const hub = hubFile(url.pathname);
      if (typeof hub === 'string') return notFound(res, isolation, hub);
      void sendFile(req, res, hub, 'application/octet-stream', isolation);
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    const path = join(root, rel);
    if (!path.startsWith(root + sep)) return notFound(res, isolation);
    void sendFile(req, res, { path }, TYPES[extname(path)] ?? 'application/octet-stream', isolation);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
