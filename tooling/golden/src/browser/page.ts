import { MaskgenError, type Runtime, memoryFile } from '@maskgen/core';
import { type WebDeviceRequest, webBackendInfo, webRuntime } from '@maskgen/runtime-web';
import type { CaseFiles } from '../context.js';
import { type Int8Comparison, int8Check } from './int8-check.js';
import { type RealSizeComparison, type RealSizeKey, realSizeCheck } from './real-size-check.js';
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
  /** int8 of a case's model on `device` and on WASM, each against the float32 reference. */
  int8(dirUrl: string, device: WebDeviceRequest): Promise<Int8Comparison[]>;
  /** One call of a real-size random-weight model (folder URL) on `device` and on WASM (tooling/golden real-sizes). */
  realSize(
    dirUrl: string,
    key: RealSizeKey,
    precision: 'float32' | 'int8',
    device: WebDeviceRequest,
    o?: { batch?: number; profile?: boolean },
  ): Promise<RealSizeComparison>;
  /** Runs one case folder (a URL on this origin) on runtime-web with the given device. */
  runCase(dirUrl: string, label: string, device: WebDeviceRequest): Promise<CallResult[]>;
}

const wasmPaths = new URL('/ort/', location.href).href;
const runtimes = new Map<string, ReturnType<typeof webRuntime>>();
const runtimeFor = (device: WebDeviceRequest) => {
  let r = runtimes.get(device);
  if (!r) runtimes.set(device, (r = (globalThis as { goldenShadow?: boolean }).goldenShadow ? shadowRuntime(device) : webRuntime({ device, wasmPaths })));
  return r;
};

/**
 * Debugging aid (GOLDEN_DEBUG=shadow): every session also runs on WASM in the same page and the
 * console gets each run's largest difference, so a device's first diverging graph is named.
 */
function shadowRuntime(device: WebDeviceRequest): Runtime {
  const main = webRuntime({ device, wasmPaths });
  const ref = webRuntime({ device: 'wasm', wasmPaths });
  return {
    ...main,
    async createSession(model, opts) {
      const a = await main.createSession(model, opts);
      const b = await ref.createSession(model, opts);
      return {
        ...a,
        inputNames: a.inputNames,
        outputNames: a.outputNames,
        async run(feeds, o) {
          const x = await a.run(feeds, o);
          const y = await b.run(feeds, o);
          for (const k of Object.keys(x)) {
            const p = x[k].data as ArrayLike<number>;
            const q = y[k].data as ArrayLike<number>;
            let d = 0;
            let m = 0;
            for (let i = 0; i < p.length; i++) {
              d = Math.max(d, Math.abs(Number(p[i]) - Number(q[i])) || (Number.isNaN(Number(p[i])) ? Infinity : 0));
              m = Math.max(m, Math.abs(Number(q[i])));
            }
            console.log(`shadow ${model.name}.${k}: max|${device}-wasm|=${d} max|wasm|=${m}`);
          }
          return x;
        },
        dispose: async () => {
          await Promise.all([a.dispose(), b.dispose()]);
        },
      };
    },
  };
}

const api: GoldenPage = {
  backend: (device) => webBackendInfo({ device, wasmPaths }),
  int8: (dirUrl, device) => int8Check(httpCaseFiles(dirUrl), runtimeFor(device), runtimeFor('wasm')),
  realSize: (dirUrl, key, precision, device, o) => realSizeCheck(dirUrl, key, precision, runtimeFor(device), runtimeFor('wasm'), o),
  runCase: (dirUrl, label, device) => runCase(httpCaseFiles(dirUrl), runtimeFor(device), label, (e) => console.error(e)),
};
(globalThis as { golden?: GoldenPage }).golden = api;
