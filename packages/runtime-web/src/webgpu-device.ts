import { MaskgenError } from '@maskgen/core';
import * as ort from 'onnxruntime-web';

/** What a runtime was asked for: a device, or `auto` (WebGPU on a hardware adapter, else WASM). */
export type WebDeviceRequest = 'auto' | 'wasm' | 'webgpu';

/** The WebGPU adapter a runtime runs on, as the browser describes it (named in errors). */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter (e.g. SwiftShader): correct but slow, so `auto` does not pick it. */
  isFallbackAdapter: boolean;
}

/** The device a runtime resolved to, the adapter behind WebGPU, and why `auto` chose what it chose. */
export interface WebDeviceChoice {
  device: 'wasm' | 'webgpu';
  adapter?: WebGpuAdapterInfo;
  reason: string;
}

interface GpuAdapterLike {
  info?: Partial<WebGpuAdapterInfo>;
  isFallbackAdapter?: boolean;
}

/** "google swiftshader (fallback adapter)": how messages name an adapter. */
export function adapterLabel(a: WebGpuAdapterInfo): string {
  const name = [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || a.description || 'unnamed adapter';
  return `${name}${a.isFallbackAdapter ? ' (fallback adapter)' : ''}`;
}

async function requestAdapter(): Promise<{ adapter: GpuAdapterLike; info: WebGpuAdapterInfo } | string> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } | undefined)?.gpu;
  if (!gpu) return 'this environment has no navigator.gpu (WebGPU is not enabled or not supported)';
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${(e as Error)?.message ?? String(e)}`;
  }
  if (!adapter) return 'navigator.gpu.requestAdapter() returned no adapter (no usable GPU, or WebGPU is blocklisted here)';
  const i = adapter.info ?? {};
  const info: WebGpuAdapterInfo = {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    isFallbackAdapter: Boolean(i.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false),
  };
  return { adapter, info };
}

let choice: Promise<WebDeviceChoice> | undefined;
let chosenAdapter: GpuAdapterLike | undefined;

/**
 * Resolves a device request once per page/worker. `auto` takes WebGPU only on a hardware adapter: a
 * fallback (software) adapter is slower than WASM. An explicit `webgpu` takes any adapter and fails,
 * with the reason, when there is none. The adapter found is handed to onnxruntime-web, so the one
 * named in messages is the one that runs.
 */
export async function resolveWebDevice(request: WebDeviceRequest): Promise<WebDeviceChoice> {
  if (request === 'wasm') return { device: 'wasm', reason: 'wasm was requested' };
  choice ??= requestAdapter().then((r) => {
    if (typeof r === 'string') return { device: 'wasm' as const, reason: r };
    chosenAdapter = r.adapter;
    return { device: 'webgpu' as const, adapter: r.info, reason: `adapter ${adapterLabel(r.info)}` };
  });
  const found = await choice;
  if (request === 'webgpu') {
    if (found.device !== 'webgpu') throw new MaskgenError('RUNTIME', `device 'webgpu' was requested but ${found.reason}; use device 'auto' or 'wasm'`);
    useAdapter();
    return found;
  }
  if (found.device === 'webgpu' && found.adapter?.isFallbackAdapter) {
    return {
      device: 'wasm',
      adapter: found.adapter,
      reason: `the only WebGPU adapter is a fallback adapter (${adapterLabel(found.adapter)}), slower than WASM; ask for device 'webgpu' to use it anyway`,
    };
  }
  if (found.device === 'webgpu') useAdapter();
  return found;
}

/** onnxruntime-web takes its adapter before its first WebGPU session; later sets are ignored by it. */
function useAdapter(): void {
  const env = ort.env.webgpu as { adapter?: unknown };
  if (chosenAdapter && env.adapter === undefined) env.adapter = chosenAdapter;
}

/**
 * The op and node an onnxruntime-web error names (`Kernel "[Split] Split_x" failed`, or `running
 * Split node. Name:'Split_x'`), so a failure can say which op the device could not run.
 */
export function failingOp(message: string): string | undefined {
  const kernel = /Kernel "\[([A-Za-z0-9_]+)\] ([^"]+)"/.exec(message);
  if (kernel) return `op ${kernel[1]} (node ${kernel[2]})`;
  const node = /running ([A-Za-z0-9_]+) node\. Name:'([^']+)'/.exec(message);
  if (node) return `op ${node[1]} (node ${node[2]})`;
  const nbits = /supported for ([A-Z][A-Za-z0-9_]+) op/.exec(message);
  if (nbits) return `op ${nbits[1]}`;
  const unsupported = /(?:op|operator)[^A-Za-z]*([A-Z][A-Za-z0-9_]+)[^.]*not (?:supported|implemented)/i.exec(message);
  return unsupported ? `op ${unsupported[1]}` : undefined;
}
