import type { FileHandle } from './file-handle.js';
import type { PackCache } from './pack-cache.js';
import type { SessionCache } from './session-cache.js';
import type { Tensor } from './tensor.js';

/** One external weight file a graph points into, by the relative `path` written in the graph. */
export interface ExternalDataFile {
  readonly path: string;
  readonly file: FileHandle;
  /** Bytes of this file the graph actually references (what a packed copy must hold). */
  readonly usedBytes: number;
}

/** A packed copy of a model: only referenced weight bytes, re-laid contiguously (for memory-bound runtimes). */
export interface PackedOnnxModel {
  readonly graph: Uint8Array;
  readonly externalData: readonly { path: string; data: Uint8Array }[];
}

/**
 * What models hand to a runtime: ONNX graph bytes plus the weight files the graph points into
 * in place. No 2 GB protobuf limit, and no second copy of the weights where the runtime can map files.
 */
export interface OnnxModel {
  readonly name: string;
  readonly graph: Uint8Array;
  readonly externalData: readonly ExternalDataFile[];
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Re-encodes the graph with other location names for its external files (keyed by `path`). */
  relocate(paths: Readonly<Record<string, string>>): Uint8Array;
  /**
   * Re-encodes the graph with its external data packed into fresh buffers, reading only the used
   * ranges; checkpoint weights are checked for NaN/±Inf as they are read (SafetensorsFile.checkFinite).
   * With a `cache`, a pack holding derived (int8) bytes is stored and later taken from it (PackCache).
   */
  pack(opts?: { signal?: AbortSignal; limitBytes?: number; cache?: PackCache }): Promise<PackedOnnxModel>;
  /**
   * Checks the checkpoint weights this graph references for NaN/±Inf (NON_FINITE, or a warning under
   * the file's allowNonFinite), streaming, once per tensor. Runtimes that give the engine the weight
   * files in place (so JS never reads them) call it while the engine loads; `pack` needs no scan.
   */
  scanWeights?(opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * True when a checkpoint behind this graph was opened with allowNonFinite, so its weights passed no
   * NaN/±Inf check: a runtime must not store work derived from them where a strict run would reuse it
   * unchecked (runtime-node's session cache is bypassed for such models).
   */
  nonFiniteAllowed?: boolean;
}

/** Options every runtime understands; runtime-specific knobs go in the runtime's factory. */
export interface SessionOptions {
  signal?: AbortSignal;
  /** Overrides the runtime's thread count for this session. */
  threads?: number;
}

/** A loaded model. Concurrent `run` calls are allowed; runtimes serialise internally where needed. */
export interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>, opts?: { signal?: AbortSignal }): Promise<Record<string, Tensor>>;
  dispose(): Promise<void>;
}

/**
 * Kernel facts a runtime states so platform-neutral graph building can choose an op form the device
 * runs natively instead of failing (or silently falling back to the CPU). Absent fields mean "yes".
 */
export interface RuntimeCapabilities {
  /**
   * Whether `com.microsoft` MatMulNBits runs 8-bit weights. onnxruntime-web 1.30's WebGPU kernel
   * takes 2- and 4-bit only, so there int8 graphs dequantise in the graph (DequantizeLinear → Gemm).
   */
  readonly int8MatMulNBits?: boolean;
}

/**
 * The seam between platform-neutral models and an inference engine. Model packages only ever see
 * this interface; runtime-node and runtime-web implement it over onnxruntime.
 */
export interface Runtime {
  readonly name: string;
  createSession(model: OnnxModel, opts?: SessionOptions): Promise<Session>;
  /**
   * Optional: what the runtime's device runs (see RuntimeCapabilities). Async because a browser
   * runtime may only know its device once it has looked at the WebGPU adapter.
   */
  capabilities?(): Promise<RuntimeCapabilities>;
  /**
   * Present when the runtime keeps built sessions between processes (see SessionCache); apps list
   * and prune it (`maskgen cache ls|rm`) without knowing the runtime.
   */
  readonly sessionCache?: SessionCache;
}
