import type { ProgressEvent } from '@maskgen/core';

/**
 * The messages between the page and the pipeline worker. Kept in one file so both sides agree on
 * every field; everything here must survive structured cloning (no classes, no functions).
 */

/** 8-bit RGBA pixels, as the pipeline returns them and canvases take them. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Which ONNX Runtime backend the worker should use; 'auto' takes WebGPU on a hardware adapter only. */
export interface BackendRequest {
  device: 'auto' | 'wasm' | 'webgpu';
  /** WebAssembly threads; unset = all cores (capped at 4) when cross-origin isolated, else 1. */
  threads?: number;
  /** Absolute URL prefix where the app serves ORT's .wasm/.mjs files. */
  wasmPaths: string;
}

/** What the worker actually runs on, shown in the page. */
export interface BackendInfo {
  device: 'wasm' | 'webgpu';
  /** The WebGPU adapter ("google swiftshader (fallback adapter)"), when there is one. */
  adapter?: string;
  /** Why this device: the adapter, or why `auto` did not take WebGPU. */
  reason?: string;
  threads: number;
  crossOriginIsolated: boolean;
}

/** Where the models come from: a hub-like base URL and the repo ids. */
export interface ModelRequest {
  /** Base URL serving `<owner>/<name>/resolve/main/<file>` (huggingface.co, a mirror, or a local folder). */
  hub: string;
  modelId: string;
  tokenizer?: string;
  textEncoder?: string;
  clipActivation?: 'gelu' | 'quick-gelu';
  /** int8 weights: a quarter of the memory (the browser's tight budget), images ≈ float32's. */
  precision?: 'float32' | 'int8';
  /** Hugging Face access token for gated or private repos (kept in memory only). */
  token?: string;
}

/** One file a model choice needs: its full size, and how much of it is already cached. */
export interface PlanFile {
  repo: string;
  file: string;
  /** Bytes to fetch: the whole file, or for range-read files (CLIP) the blocks the text tower covers. */
  bytes: number;
  cachedBytes: number;
  ranges?: boolean;
}

/** Download and memory of a model choice, from the hub's metadata, before anything is downloaded. */
export interface ModelPlan {
  files: PlanFile[];
  totalBytes: number;
  /** What is not cached yet. */
  downloadBytes: number;
  /** Weights of all ONNX sessions together (float32, or int8 matrices). */
  memoryBytes: number;
  sessions: { role: 'generator' | 'tokenizer' | 'text'; repo: string; bytes: number }[];
  /** The largest session, which runtime-web checks against its WebAssembly limit. */
  largest: { role: 'generator' | 'tokenizer' | 'text'; repo: string; bytes: number };
  limitBytes: number;
  fits: boolean;
  /** False for a custom generator with no tokenizer repo set: its tokenizer is then not counted. */
  tokenizerKnown: boolean;
}

/** A hub request about to be retried (the status line says so while it waits). */
export interface RetryNotice {
  attempt: number;
  retries: number;
  delayMs: number;
  reason: string;
}

/** One recorded random draw (a golden case's `draws[]` entry with its tensor), for exact replays. */
export interface ReplayDraw {
  kind: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/** A generation request: the form's settings, plus recorded draws when reproducing a golden run. */
export interface GenerateRequest {
  type: 'generate';
  id: number;
  model: ModelRequest;
  prompts: string[];
  seed: number;
  steps?: number;
  guidance?: number;
  numImages?: number;
  /** Decode the current tokens after every step for the live preview. */
  previewImages: boolean;
  /** When set, these draws replace the seeded generator (golden replays). */
  replay?: ReplayDraw[];
}

/** What the page keeps in its model cache (Cache Storage / OPFS), and the origin's storage use. */
export interface CacheStatus {
  /** Per repo: files (whole, or blocks of range-read files) and bytes. */
  byRepo: { repo: string; entries: number; bytes: number }[];
  repos: number;
  entries: number;
  bytes: number;
  /** int8 packs kept for the next load, and how many loads of this worker were served from them. */
  packs: { entries: number; bytes: number; hits: number };
  originUsage?: number;
}

/**
 * Page → worker. `cancelFlag` (cross-origin-isolated pages only) is shared memory holding the id of
 * the request to cancel: ONNX Runtime runs whole sampling loops without yielding to the worker's
 * event loop, so a `cancel` message could only be read after the run ended; the flag is read at
 * every step.
 */
export type WorkerRequest =
  | { type: 'init'; backend: BackendRequest; cancelFlag?: Int32Array }
  | { type: 'selftest'; id: number }
  | { type: 'cache-status'; id: number; purge: boolean }
  | { type: 'plan'; id: number; model: ModelRequest }
  | GenerateRequest
  | { type: 'cancel' };

/** The final result of a generation. */
export interface DoneEvent {
  type: 'done';
  id: number;
  images: Pixels[];
  seed: number;
  settings: Record<string, number | string>;
  tokens: number[];
  ms: number;
}

/** Result of the backend self-test (a small MatMul graph checked against plain JS). */
export interface SelfTestResult {
  ok: boolean;
  maxAbsDiff: number;
  ms: number;
  backend: BackendInfo;
}

/** Worker → page. */
export type WorkerEvent =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'progress'; id: number; event: ProgressEvent }
  | { type: 'preview'; id: number; step: number; total: number; images: Pixels[] }
  | DoneEvent
  | { type: 'selftest'; id: number; result: SelfTestResult }
  | { type: 'cache-status'; id: number; status: CacheStatus }
  | { type: 'plan'; id: number; plan: ModelPlan }
  | { type: 'retry'; id: number; retry: RetryNotice }
  | { type: 'error'; id?: number; code?: string; message: string };
