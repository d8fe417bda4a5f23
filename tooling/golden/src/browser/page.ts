import { MaskgenError, memoryFile } from '@maskgen/core';
import { type WebDeviceRequest, webBackendInfo, webRuntime } from '@maskgen/runtime-web';
import type { CaseFiles } from '../context.js';
import { runCase } from '../run-case.js';
import type { CallResult } from '../types.js';

/** A case folder served over HTTP by the runner (files fetched whole: golden files are small). */
function httpCaseFiles(dirUrl: string): CaseFiles {
  const base = dirUrl.endsWith('/') ? dirUrl : `${dirUrl}/`;
  const get = async (rel: string) => {
    const r = await fetch(new URL(rel, base));
    if (!r.ok) throw new MaskgenError(r.status === 404 ? 'NOT_FOUND' : 'NETWORK', `${new URL(rel, base).pathname}: HTTP ${r.status}`);
    return r;
  };
  return {
    dir: base,
    open: async (rel) => memoryFile(new Uint8Array(await (await get(rel)).arrayBuffer()), rel),
    readText: async (rel) => (await get(rel)).text(),
  };
}

/** The page's API, driven by the runner through Playwright. */
export interface GoldenPage {
  /** The backend the device request resolved to (device, adapter, reason). */
  backend(device: WebDeviceRequest): Promise<Awaited<ReturnType<typeof webBackendInfo>>>;
  /** Runs one case folder (a URL on this origin) on runtime-web with the given device. */
  runCase(dirUrl: string, label: string, device: WebDeviceRequest): Promise<CallResult[]>;
}

const wasmPaths = new URL('/ort/', location.href).href;
const runtimes = new Map<string, ReturnType<typeof webRuntime>>();
const runtimeFor = (device: WebDeviceRequest) => {
  let r = runtimes.get(device);
  if (!r) runtimes.set(device, (r = webRuntime({ device, wasmPaths })));
  return r;
};

const api: GoldenPage = {
  backend: (device) => webBackendInfo({ device, wasmPaths }),
  runCase: (dirUrl, label, device) => runCase(httpCaseFiles(dirUrl), runtimeFor(device), label, (e) => console.error(e)),
};
(globalThis as { golden?: GoldenPage }).golden = api;
