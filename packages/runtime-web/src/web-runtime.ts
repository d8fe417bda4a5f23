import { MaskgenError, type OnnxModel, type Runtime, type Session, type SessionOptions, type Tensor, serialSession, throwIfAborted } from '@maskgen/core';
import * as ort from 'onnxruntime-web';
import { fromOrt, toOrt } from './tensor-convert.js';

/**
 * Weights above this size cannot be loaded by the 32-bit WebAssembly build: the packed weights and
 * ORT's own copy must share a 4 GiB address space. Checked before any bytes are read.
 */
export const DEFAULT_WASM_WEIGHT_LIMIT = 2 * 1024 ** 3 - 64 * 1024 ** 2;

/** Options of the web runtime. */
export interface WebRuntimeOptions {
  /** 'webgpu' uses the GPU when the browser exposes navigator.gpu, falling back to wasm. */
  device?: 'wasm' | 'webgpu';
  /** WebAssembly threads (needs cross-origin isolation in browsers). */
  threads?: number;
  /** Where the ORT .wasm/.mjs files are served from (a URL prefix, or a per-file map). */
  wasmPaths?: ort.Env.WasmPrefixOrFilePaths;
  /** Override of the weight-size limit (bytes) checked before loading a model. */
  maxWeightBytes?: number;
}

/** Reports which backend a runtime will use, so UIs can say it (WebGPU vs WASM and thread count). */
export function webBackendInfo(options: WebRuntimeOptions = {}): { device: 'wasm' | 'webgpu'; threads: number } {
  const hasGpu = typeof navigator !== 'undefined' && !!(navigator as { gpu?: unknown }).gpu;
  return { device: options.device === 'webgpu' && hasGpu ? 'webgpu' : 'wasm', threads: options.threads ?? ort.env.wasm.numThreads ?? 1 };
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
      const backend = webBackendInfo(options);
      let session: ort.InferenceSession;
      try {
        const packed = await model.pack({ signal: opts.signal, limitBytes: limit });
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
        throw new MaskgenError('RUNTIME', `onnxruntime-web could not create session ${model.name}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
      }
      return serialSession(model.name, name, {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        async run(feeds: Record<string, Tensor>) {
          const ortFeeds: Record<string, ort.Tensor> = {};
          for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(k, v);
          const out = await session.run(ortFeeds);
          const result: Record<string, Tensor> = {};
          for (const [k, v] of Object.entries(out)) result[k] = fromOrt(k, v);
          return result;
        },
        release: () => session.release(),
      });
    },
  };
}
