import type { Runtime } from '@maskgen/core';
import { adapterLabel, cacheStoragePackCache, resolveWebDevice, webRuntime } from '@maskgen/runtime-web';
import type { BackendInfo, BackendRequest } from './protocol.js';

/**
 * Threads need SharedArrayBuffer, which browsers only grant to cross-origin-isolated pages
 * (COOP/COEP); without it ORT silently falls back to one thread, so the page says so instead.
 */
function threadCount(requested: number | undefined): number {
  if (!self.crossOriginIsolated) return 1;
  if (requested !== undefined && Number.isInteger(requested) && requested > 0) return requested;
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

/**
 * int8 weights are quantised in JS when a model loads, most of an int8 session's creation: the packed
 * result is kept in Cache Storage, so the next page load skips that work (shown and purged with the cache).
 */
export const packCache = cacheStoragePackCache();

/**
 * Picks the backend once per worker and builds the runtime every pipeline shares. runtime-web decides:
 * `auto` takes WebGPU only on a hardware adapter (a software one is slower than WASM); `webgpu` takes
 * any adapter and fails with the reason when there is none.
 */
export async function createBackend(req: BackendRequest): Promise<{ runtime: Runtime; info: BackendInfo }> {
  const choice = await resolveWebDevice(req.device);
  const threads = threadCount(req.threads);
  const runtime = webRuntime({ device: choice.device, threads, wasmPaths: req.wasmPaths, packCache });
  return {
    runtime,
    info: {
      device: choice.device,
      ...(choice.adapter ? { adapter: adapterLabel(choice.adapter) } : {}),
      reason: choice.reason,
      threads,
      crossOriginIsolated: self.crossOriginIsolated,
    },
  };
}
