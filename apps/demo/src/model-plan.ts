import { MaskgenError } from '@maskgen/core';
import { HubHttp, type RetryInfo, hubStatusError, listCached, resolveUrl } from '@maskgen/hub';
import { CLIP_REPO, zooEntry } from '@maskgen/pipeline';
import { DEFAULT_WASM_WEIGHT_LIMIT } from '@maskgen/runtime-web';
import type { ModelPlan, ModelRequest, PlanFile } from './protocol.js';

/** Range reads fetch and cache blocks of this size (browserSource's default), so CLIP costs whole blocks. */
const RANGE_BLOCK = 4 << 20;
const WEIGHTS = 'model.safetensors';
/** What one HEAD (and, for weights, the safetensors header) told us; kept so a reload or an offline page needs no request. */
interface FileFacts {
  size: number;
  /** The hub's RepoNotFound message, remembered. */
  error?: string;
  /** Weights only: per tensor [elements, rank, start, end] (end/start relative to the data section, plus the header length). */
  tensors?: [string, number, number, number, number][];
}

const META_CACHE = 'maskgen-demo-sizes';

/** Cache Storage keys must be http(s) URLs. */
const keyUrl = (key: string) => `https://maskgen-demo.invalid/sizes?${encodeURIComponent(key)}`;

async function remembered(key: string): Promise<FileFacts | null | undefined> {
  const hit = await (await caches.open(META_CACHE)).match(keyUrl(key)).catch(() => undefined);
  return hit ? ((await hit.json()) as FileFacts | null) : undefined;
}

async function remember(key: string, facts: FileFacts | null): Promise<void> {
  await (await caches.open(META_CACHE)).put(keyUrl(key), new Response(JSON.stringify(facts))).catch(() => undefined);
}

/** Forgets every remembered size (with Purge: sizes of files no longer stored would mislead the panel). */
export async function forgetPlans(): Promise<void> {
  await caches.delete(META_CACHE).catch(() => undefined);
}

function parseHeader(bytes: Uint8Array, headerLen: number): FileFacts['tensors'] {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, { shape?: number[]; data_offsets?: [number, number] }>;
  const base = 8 + headerLen;
  return Object.entries(json)
    .filter(([k, v]) => k !== '__metadata__' && Array.isArray(v.shape) && Array.isArray(v.data_offsets))
    .map(([k, v]) => [k, v.shape!.reduce((a, b) => a * b, 1), v.shape!.length, base + v.data_offsets![0], base + v.data_offsets![1]]);
}

/**
 * HEAD for the size (X-Linked-Size on the hub's LFS redirect, else Content-Length), plus two range reads
 * of a safetensors header for its tensors: the download size and the memory are known before a byte of
 * weights moves. A missing file is `null` (models need not have every candidate file).
 */
async function fileFacts(http: HubHttp, repo: string, file: string, signal: AbortSignal | undefined): Promise<FileFacts | null> {
  const key = `${http.endpoint}|${repo}|${file}`;
  const known = await remembered(key);
  if (known?.error) throw new MaskgenError('NOT_FOUND', known.error);
  if (known !== undefined) return known;
  if (navigator.onLine === false) throw new MaskgenError('OFFLINE', `${repo}: the size of ${file} is not known offline`);
  const url = resolveUrl(http.endpoint, repo, 'main', file);
  const { res } = await http.request(url, { method: 'HEAD', timeoutMs: 30_000, redirects: 'all', ...(signal ? { signal } : {}) });
  await res.body?.cancel().catch(() => undefined);
  if (res.status === 404 && (res.headers.get('x-error-code') ?? 'EntryNotFound') === 'EntryNotFound') {
    await remember(key, null);
    return null;
  }
  if (!res.ok) {
    const err = hubStatusError(res, http.endpoint, repo, 'main', file);
    // "No such repo" is remembered too (without a token only: one may open a private repo), so a reload asks nothing.
    if (res.headers.get('x-error-code') === 'RepoNotFound' && !http.hasToken) await remember(key, { size: -1, error: err.message });
    throw err;
  }
  const size = Number(res.headers.get('x-linked-size') ?? res.headers.get('content-length'));
  const facts: FileFacts = { size: Number.isSafeInteger(size) ? size : 0 };
  if (file.endsWith('.safetensors') && facts.size > 8) {
    const range = async (a: number, b: number) => {
      const r = await http.request(url, { headers: { Range: `bytes=${a}-${b}` }, timeoutMs: 30_000, redirects: 'all', ...(signal ? { signal } : {}) });
      if (!r.res.ok) throw hubStatusError(r.res, http.endpoint, repo, 'main', file);
      return new Uint8Array(await r.res.arrayBuffer()).subarray(0, b - a + 1);
    };
    const len = Number(new DataView((await range(0, 7)).buffer).getBigUint64(0, true));
    if (len > 0 && len < 100 << 20) facts.tensors = parseHeader(await range(8, 8 + len - 1), len);
  }
  await remember(key, facts);
  return facts;
}

/** Bytes of the RANGE_BLOCK blocks a set of [start, end) spans touches (what range reads download). */
function blockBytes(spans: [number, number][], size: number): number {
  const blocks = new Set<number>();
  for (const [a, b] of spans) for (let i = Math.floor(a / RANGE_BLOCK); i * RANGE_BLOCK < b; i++) blocks.add(i);
  return [...blocks].reduce((s, i) => s + Math.min(RANGE_BLOCK, size - i * RANGE_BLOCK), 0);
}

/** Session weight bytes: float32 everywhere, or int8 for matrices (what quantization packs) and float32 for the rest. */
function weightBytes(tensors: NonNullable<FileFacts['tensors']>, int8: boolean): number {
  return tensors.reduce((s, [, n, rank]) => s + n * (int8 && rank >= 2 ? 1 : 4), 0);
}

/**
 * What a model choice will download and how much memory its largest ONNX session needs, asked of the
 * hub before anything is fetched: the page shows it, and refuses a choice above runtime-web's
 * WebAssembly limit instead of downloading gigabytes to fail with RUNTIME_LIMIT.
 */
export async function planModel(m: ModelRequest, signal?: AbortSignal, onRetry?: (r: RetryInfo) => void): Promise<ModelPlan> {
  const http = new HubHttp(
    globalThis.fetch.bind(globalThis),
    m.hub.replace(/\/+$/, ''),
    m.token,
    { retries: 4, baseDelayMs: 500, maxDelayMs: 8000, onRetry },
    'follow',
  );
  const zoo = zooEntry(m.modelId);
  const tokenizer = m.tokenizer ?? (zoo?.kind === 'generator' ? zoo.tokenizer : undefined);
  const text = m.textEncoder ?? CLIP_REPO;
  const repos: [string, 'generator' | 'tokenizer' | 'text', string[]][] = [
    [m.modelId, 'generator', ['config.json', WEIGHTS]],
    ...(tokenizer ? [[tokenizer, 'tokenizer', ['config.json', WEIGHTS]] as [string, 'tokenizer', string[]]] : []),
    [text, 'text', ['config.json', 'vocab.json', 'merges.txt', 'bpe_simple_vocab_16e6.txt.gz', WEIGHTS]],
  ];
  const cached = await listCached().catch(() => []);
  const int8 = m.precision === 'int8';
  const files: PlanFile[] = [];
  const sessions: ModelPlan['sessions'] = [];
  for (const [repo, role, names] of repos) {
    for (const file of names) {
      const facts = await fileFacts(http, repo, file, signal);
      if (!facts) continue;
      const here = cached.filter((e) => e.repoId === repo && e.file === file);
      // The text encoder opens every file of its repo by ranges (config and BPE vocab too), so those are cached as blocks.
      const inBlocks = here.filter((e) => e.kind === 'range').reduce((s, e) => s + e.bytes, 0);
      if (file === WEIGHTS && facts.tensors) {
        // CLIP's checkpoint also holds the vision tower; the text encoder reads only its own tensors, by ranges.
        const used = role === 'text' ? facts.tensors.filter(([k]) => !k.startsWith('vision_model.') && !k.startsWith('visual')) : facts.tensors;
        sessions.push({ role, repo, bytes: weightBytes(used, int8) });
        if (role === 'text') {
          const bytes = blockBytes([[0, 8], ...used.map(([, , , a, b]) => [a, b] as [number, number])], facts.size);
          files.push({ repo, file, bytes, cachedBytes: Math.min(inBlocks, bytes), ranges: true });
          continue;
        }
      }
      files.push({ repo, file, bytes: facts.size, cachedBytes: here.some((e) => e.kind === 'file') ? facts.size : Math.min(inBlocks, facts.size) });
    }
  }
  const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
  const downloadBytes = files.reduce((s, f) => s + f.bytes - f.cachedBytes, 0);
  const largest = sessions.reduce((a, s) => (s.bytes > a.bytes ? s : a), { role: 'generator' as const, repo: m.modelId, bytes: 0 });
  const memoryBytes = sessions.reduce((s, x) => s + x.bytes, 0);
  return {
    files,
    totalBytes,
    downloadBytes,
    memoryBytes,
    sessions,
    largest,
    limitBytes: DEFAULT_WASM_WEIGHT_LIMIT,
    fits: largest.bytes <= DEFAULT_WASM_WEIGHT_LIMIT,
    tokenizerKnown: tokenizer !== undefined,
  };
}
