import {
  MaskgenError,
  type OnnxModel,
  type PackCache,
  type Runtime,
  type Session,
  type SessionOptions,
  type Tensor,
  serialSession,
  throwIfAborted,
} from '@maskgen/core';
import * as ort from 'onnxruntime-web';
import { fromOrt, toOrt } from './tensor-convert.js';
import { type WebDeviceChoice, type WebDeviceRequest, adapterLabel, failingOp, resolveWebDevice } from './webgpu-device.js';

/**
 * Weights above this size cannot be loaded by the 32-bit WebAssembly build: the packed weights and
 * ORT's own copy must share a 4 GiB address space. Checked before any bytes are read.
 */
export const DEFAULT_WASM_WEIGHT_LIMIT = 2 * 1024 ** 3 - 64 * 1024 ** 2;

/** Options of the web runtime. */
export interface WebRuntimeOptions {
  /**
   * 'auto' (default) runs on WebGPU only when the browser offers a hardware adapter, else on WASM;
   * 'webgpu' runs on any WebGPU adapter (also a software fallback one) and fails when there is none.
   */
  device?: WebDeviceRequest;
  /** WebAssembly threads (needs cross-origin isolation in browsers). */
  threads?: number;
  /** Where the ORT .wasm/.mjs files are served from (a URL prefix, or a per-file map). */
  wasmPaths?: ort.Env.WasmPrefixOrFilePaths;
  /** Override of the weight-size limit (bytes) checked before loading a model. */
  maxWeightBytes?: number;
  /**
   * Keeps int8 packs across page loads (e.g. `cacheStoragePackCache()`): quantising a model's weights in
   * JS is most of an int8 session's creation, seconds per load that a cached pack skips.
   */
  packCache?: PackCache;
}

/**
 * Reports which backend a runtime will use, so UIs can say it: the device (after `auto` looked at the
 * adapter), the WebGPU adapter, why, and the WASM thread count (WASM also runs WebGPU's CPU ops).
 */
export async function webBackendInfo(options: WebRuntimeOptions = {}): Promise<WebDeviceChoice & { threads: number }> {
  const choice = await resolveWebDevice(options.device ?? 'auto');
  return { ...choice, threads: options.threads ?? ort.env.wasm.numThreads ?? 1 };
}

let gpuQueue: Promise<unknown> = Promise.resolve();

/**
 * onnxruntime-web's WebGPU backend runs one session at a time per page ("Session mismatch" when a
 * second session's run interleaves, e.g. a preview decode during a generator step), so WebGPU runs
 * are queued page-wide; WASM sessions run concurrently as before.
 */
function onGpuQueue<T>(b: WebDeviceChoice, f: () => Promise<T>): Promise<T> {
  if (b.device !== 'webgpu') return f();
  const next = gpuQueue.then(f, f);
  gpuQueue = next.catch(() => undefined);
  return next;
}

/** "webgpu on google swiftshader (fallback adapter)" / "wasm": what messages say ran. */
function backendLabel(b: WebDeviceChoice): string {
  return b.device === 'webgpu' && b.adapter ? `webgpu on ${adapterLabel(b.adapter)}` : b.device;
}

/** An ORT failure as a MaskgenError naming the backend, adapter and (when ORT says) the failing op. */
function ortError(what: string, b: WebDeviceChoice, cause: unknown): MaskgenError {
  const msg = (cause as Error)?.message ?? String(cause);
  const op = failingOp(msg);
  // onnxruntime-web 1.30's WebGPU MatMulNBits takes 2- and 4-bit weights only; graphs built with
  // graphOptionsFor avoid it, a hand-built 8-bit MatMulNBits graph still meets it.
  const hint =
    /MatMulNBits/.test(msg) && /2b and 4b/.test(msg)
      ? " (8-bit MatMulNBits does not run on WebGPU in onnxruntime-web 1.30: build int8 graphs with graphOptionsFor(runtime, 'int8'), or use device 'wasm')"
      : '';
  return new MaskgenError('RUNTIME', `onnxruntime-web (${backendLabel(b)}) ${what}${op ? `: ${op} failed` : ''}${hint}: ${msg}`, { cause });
}

/** ORT's log level for sessions: 4 (fatal) unless MASKGEN_ORT_LOG=0…4 is set where a process env exists. */
function webLogSeverity(): 0 | 1 | 2 | 3 | 4 {
  const raw = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MASKGEN_ORT_LOG;
  const v = Number(raw);
  return raw && Number.isInteger(v) && v >= 0 && v <= 4 ? (v as 0 | 1 | 2 | 3 | 4) : 4;
}

/**
 * onnxruntime-web behind the core Runtime interface (browsers, workers, and Node through ORT's node
 * entry). Only the weight bytes a graph references are packed and handed to ORT as external data.
 */
export function webRuntime(options: WebRuntimeOptions = {}): Runtime {
  if (options.threads !== undefined) ort.env.wasm.numThreads = options.threads;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  const limit = options.maxWeightBytes ?? DEFAULT_WASM_WEIGHT_LIMIT;
  const name = 'onnxruntime-web';
  return {
    name,
    // onnxruntime-web 1.30's WebGPU MatMulNBits takes 2- and 4-bit weights only: int8 graphs for
    // WebGPU dequantise in the graph instead, so the big MatMuls stay on the GPU.
    async capabilities() {
      const backend = await resolveWebDevice(options.device ?? 'auto');
      return { int8MatMulNBits: backend.device !== 'webgpu' };
    },
    async createSession(model: OnnxModel, opts: SessionOptions = {}): Promise<Session> {
      throwIfAborted(opts.signal, `creating session ${model.name}`);
      const used = model.externalData.reduce((s, e) => s + e.usedBytes, 0);
      if (used > limit) {
        throw new MaskgenError(
          'RUNTIME_LIMIT',
          `model ${model.name} needs ${(used / 1024 ** 3).toFixed(2)} GiB of weights, above runtime-web's WebAssembly limit of ${(limit / 1024 ** 3).toFixed(2)} GiB; ` +
            "load it with precision: 'int8' (a quarter of the bytes), use the WebGPU device, or runtime-node",
        );
      }
      const backend = await resolveWebDevice(options.device ?? 'auto');
      let session: ort.InferenceSession;
      try {
        const packed = await model.pack({ signal: opts.signal, limitBytes: limit, cache: options.packCache });
        throwIfAborted(opts.signal, `creating session ${model.name}`);
        session = await ort.InferenceSession.create(packed.graph, {
          executionProviders: backend.device === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'],
          graphOptimizationLevel: 'all',
          // ORT's log lines duplicate the typed error; fatal only unless MASKGEN_ORT_LOG=0…4 (docs/reliability.md).
          logSeverityLevel: webLogSeverity(),
          externalData: packed.externalData.map((e) => ({ path: e.path, data: e.data })),
        });
      } catch (cause) {
        if (cause instanceof MaskgenError) throw cause;
        throw ortError(`could not create session ${model.name}`, backend, cause);
      }
      // Run failures are put in the model's terms (tensor names, not ONNX nodes) by serialSession.
      return serialSession(model.name, `${name} (${backendLabel(backend)})`, {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        inputs: session.inputMetadata,
        outputs: session.outputMetadata,
        async run(feeds: Record<string, Tensor>) {
          const ortFeeds: Record<string, ort.Tensor> = {};
          for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(k, v);
          let out: ort.InferenceSession.ReturnType;
          try {
            out = await onGpuQueue(backend, () => session.run(ortFeeds));
          } catch (cause) {
            // Kernels the device lacks (8-bit MatMulNBits on WebGPU) keep the op and the fix in the message.
            if (/MatMulNBits/.test(String((cause as Error)?.message))) throw ortError(`failed running ${model.name}`, backend, cause);
            throw cause;
          }
          const result: Record<string, Tensor> = {};
          for (const [k, v] of Object.entries(out)) result[k] = fromOrt(k, v);
          return result;
        },
        release: () => session.release(),
      });
    },
  };
}
