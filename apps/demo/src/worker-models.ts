import type { ProgressCallback, Runtime } from '@maskgen/core';
import { type TextToImage, createTextToImage } from '@maskgen/pipeline';
import { type RetryInfo, browserSource, listCached, purgeCache } from '@maskgen/hub';
import { packCache } from './backend.js';
import { forgetPlans } from './model-plan.js';
import type { CacheStatus, ModelRequest } from './protocol.js';

let current: { key: string; model: Promise<TextToImage> } | undefined;

function keyOf(m: ModelRequest): string {
  return JSON.stringify([m.hub, m.modelId, m.tokenizer ?? '', m.textEncoder ?? '', m.clipActivation ?? '', m.precision ?? '', m.token ?? '']);
}

/**
 * Model files come from `browserSource` (fetched once, kept in Cache Storage / OPFS, CLIP read by
 * ranges). Keeps the last loaded pipeline (its ONNX sessions are the expensive part) so repeated Generate
 * clicks with the same model reuse it; a different model or hub disposes the old one first, since
 * a browser tab cannot afford two multi-GB models at once.
 */
export async function loadPipeline(
  runtime: Runtime,
  m: ModelRequest,
  onProgress: ProgressCallback,
  signal: AbortSignal,
  onRetry?: (r: RetryInfo) => void,
): Promise<TextToImage> {
  const key = keyOf(m);
  if (current?.key === key) {
    try {
      return await current.model;
    } catch {
      current = undefined;
    }
  }
  const old = current;
  current = undefined;
  if (old) await (await old.model.catch(() => undefined))?.dispose();
  const model = createTextToImage(m.modelId, {
    runtime,
    // Downloads are reported here, with the repo in the file name (config.json exists in every repo).
    // Offline (navigator.onLine false), files come only from the cache, with clear OFFLINE errors for what is missing.
    source: (repoId) =>
      browserSource(repoId, {
        endpoint: m.hub,
        ...(m.token ? { token: m.token } : {}),
        ...(onRetry ? { retry: { onRetry } } : {}),
        offline: navigator.onLine === false,
        onProgress: (e) => e.phase === 'download' && onProgress({ ...e, file: `${repoId}/${e.file}` }),
      }),
    ...(m.tokenizer ? { tokenizer: m.tokenizer } : {}),
    ...(m.textEncoder ? { textEncoder: m.textEncoder } : {}),
    ...(m.clipActivation ? { clipActivation: m.clipActivation } : {}),
    ...(m.precision ? { precision: m.precision } : {}),
    onProgress: (e) => e.phase !== 'download' && onProgress(e),
    signal,
  });
  current = { key, model };
  try {
    return await model;
  } catch (e) {
    if (current?.model === model) current = undefined;
    throw e;
  }
}

/**
 * Model files are gigabytes, so users must see what the page keeps and be able to drop it without
 * digging through the browser's site settings. Runs in the worker (see WorkerClient.cacheStatus);
 * counts whole files and blocks of range-read files, not the size records kept beside them.
 */
export async function cacheStatus(purge: boolean): Promise<CacheStatus> {
  if (purge) await Promise.all([purgeCache(), forgetPlans(), packCache.clear()]);
  const entries = (await listCached()).filter((e) => e.kind === 'file' || e.kind === 'range');
  const packs = await packCache.list().catch(() => []);
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  const byRepo = new Map<string, { repo: string; entries: number; bytes: number }>();
  for (const e of entries) {
    const r = byRepo.get(e.repoId) ?? { repo: e.repoId, entries: 0, bytes: 0 };
    r.entries++;
    r.bytes += e.bytes;
    byRepo.set(e.repoId, r);
  }
  return {
    byRepo: [...byRepo.values()],
    repos: new Set(entries.map((e) => e.repoId)).size,
    entries: entries.length,
    bytes: entries.reduce((s, e) => s + e.bytes, 0),
    packs: { entries: packs.length, bytes: packs.reduce((s, e) => s + e.bytes, 0), hits: packCache.stats.hits },
    ...(estimate?.usage !== undefined ? { originUsage: estimate.usage } : {}),
  };
}
