import type { Runtime } from '@maskgen/core';
import { webRuntime } from '@maskgen/runtime-web';
import type { BackendInfo, BackendRequest } from './protocol.js';

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/**
 * navigator.gpu can exist while no adapter does (headless browsers, blocklisted drivers), so
 * WebGPU is only chosen after an adapter was actually obtained; otherwise ORT would fail late.
 */
async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

/**
 * Threads need SharedArrayBuffer, which browsers only grant to cross-origin-isolated pages
 * (COOP/COEP); without it ORT silently falls back to one thread, so the page says so instead.
 */
function threadCount(requested: number | undefined): number {
  if (!self.crossOriginIsolated) return 1;
  if (requested !== undefined && Number.isInteger(requested) && requested > 0) return requested;
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

/** Picks the backend once per worker and builds the runtime every pipeline shares. */
export async function createBackend(req: BackendRequest): Promise<{ runtime: Runtime; info: BackendInfo }> {
  let device: BackendInfo['device'] = 'wasm';
  if (req.device !== 'wasm' && (await hasWebGpuAdapter())) device = 'webgpu';
  if (req.device === 'webgpu' && device !== 'webgpu') {
    throw new Error('WebGPU was requested (device=webgpu) but this browser exposes no WebGPU adapter; use device=auto or device=wasm');
  }
  const threads = threadCount(req.threads);
  const runtime = webRuntime({ device, threads, wasmPaths: req.wasmPaths });
  return { runtime, info: { device, threads, crossOriginIsolated: self.crossOriginIsolated } };
}
