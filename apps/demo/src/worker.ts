/// <reference lib="webworker" />
import { MaskgenError, type ProgressEvent, type Rng, ReplayRng, type Runtime, isAbortError, tensor, toNumbers } from '@maskgen/core';
import { type RetryInfo, listCached } from '@maskgen/hub';
import { createBackend } from './backend.js';
import { planModel } from './model-plan.js';
import { cacheStatus, loadPipeline } from './worker-models.js';
import { yieldingRuntime } from './yielding-runtime.js';
import type { BackendInfo, GenerateRequest, ModelPlan, Pixels, ReplayDraw, WorkerEvent, WorkerRequest } from './protocol.js';
import { runSelfTest } from './self-test.js';

/**
 * The pipeline runs here, off the main thread, so the page stays responsive while ONNX Runtime
 * works; the page only sends requests and draws what comes back.
 */
declare const self: DedicatedWorkerGlobalScope;

let backend: Promise<{ runtime: Runtime; info: BackendInfo }> | undefined;
let running: AbortController | undefined;
let cancelFlag: Int32Array | undefined;

/** Aborts when the page flagged this request in shared memory (read synchronously, at every event). */
function checkCancelFlag(id: number, ctrl: AbortController): void {
  if (cancelFlag && Atomics.load(cancelFlag, 0) === id && !ctrl.signal.aborted) ctrl.abort(new Error('cancelled by the user'));
}

function post(e: WorkerEvent, transfer: Transferable[] = []): void {
  self.postMessage(e, transfer);
}

function buffersOf(images: readonly Pixels[]): Transferable[] {
  return images.map((i) => i.data.buffer as ArrayBuffer);
}

const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;

/**
 * The plan of a generation: asked of the hub (or remembered). Skipped when the hub cannot be asked but
 * the model is cached (offline, or the network gone): then the cache decides, with its own clear errors.
 */
async function planFor(req: GenerateRequest, signal: AbortSignal, onRetry: (r: RetryInfo) => void): Promise<ModelPlan | undefined> {
  try {
    return await planModel(req.model, signal, onRetry);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'OFFLINE') return undefined;
    if (code === 'NETWORK' && (await listCached().catch(() => [])).some((c) => c.repoId === req.model.modelId)) return undefined;
    throw e;
  }
}

function retryEvent(id: number) {
  return (r: RetryInfo) => post({ type: 'retry', id, retry: { attempt: r.attempt, retries: r.retries, delayMs: r.delayMs, reason: r.reason } });
}

function replayRng(draws: readonly ReplayDraw[]): Rng {
  return new ReplayRng(draws.map((d) => ({ kind: d.kind, shape: d.shape, tensor: tensor(d.dtype, d.shape, d.data) })));
}

async function generate(req: GenerateRequest): Promise<void> {
  running?.abort(new Error('superseded by a new request'));
  const ctrl = new AbortController();
  running = ctrl;
  const t0 = performance.now();
  try {
    const { runtime } = await requireBackend();
    // Sizes first: the page's bar knows the whole download, and a model that cannot fit is refused before any byte of weights moves.
    const plan = await planFor(req, ctrl.signal, retryEvent(req.id));
    if (plan) post({ type: 'plan', id: req.id, plan });
    if (plan && !plan.fits) {
      throw new MaskgenError(
        'RUNTIME_LIMIT',
        `${plan.largest.repo} needs ${gb(plan.largest.bytes)} of weights in ${req.model.precision ?? 'float32'}, above the ${gb(plan.limitBytes)} one WebAssembly model can hold, so nothing was downloaded`,
      );
    }
    const onProgress = (event: ProgressEvent) => {
      checkCancelFlag(req.id, ctrl);
      post({ type: 'progress', id: req.id, event });
    };
    const model = await loadPipeline(
      yieldingRuntime(runtime, () => ctrl.signal),
      req.model,
      onProgress,
      ctrl.signal,
      retryEvent(req.id),
    );
    const result = await model.generate(req.prompts, {
      seed: req.seed,
      ...(req.replay ? { rng: replayRng(req.replay) } : {}),
      ...(req.steps !== undefined ? { steps: req.steps } : {}),
      ...(req.guidance !== undefined ? { guidance: req.guidance } : {}),
      ...(req.numImages !== undefined ? { numImages: req.numImages } : {}),
      signal: ctrl.signal,
      onProgress,
      previewImages: req.previewImages,
      onPreview: (p) => {
        const images = (p.images ?? []).map((i) => ({ width: i.width, height: i.height, data: i.data.slice() }));
        post({ type: 'preview', id: req.id, step: p.step, total: p.total, images }, buffersOf(images));
      },
    });
    const images = result.images.map((i) => ({ width: i.width, height: i.height, data: i.data.slice() }));
    const tokens = toNumbers(result.tokens);
    const settings = req.replay ? { ...result.settings, rng: `${req.replay.length} replayed draws` } : result.settings;
    post({ type: 'done', id: req.id, images, seed: result.seed, settings, tokens, ms: performance.now() - t0 }, buffersOf(images));
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const code = isAbortError(e) || ctrl.signal.aborted ? 'ABORTED' : err?.code;
    post({ type: 'error', id: req.id, ...(code ? { code } : {}), message: err?.message ?? String(e) });
  } finally {
    if (running === ctrl) running = undefined;
  }
}

function requireBackend(): Promise<{ runtime: Runtime; info: BackendInfo }> {
  if (!backend) throw new Error('worker: "init" must be sent before any other request');
  return backend;
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'init':
      cancelFlag = msg.cancelFlag;
      // ORT fetches its .mjs/.wasm at the first session, not at import: one tiny session now, so "ready" means
      // the runtime is loaded and a page whose network goes off afterwards still generates from its cached models.
      backend = createBackend(msg.backend).then(async (b) => {
        await runSelfTest(b.runtime, b.info);
        return b;
      });
      backend.then(
        ({ info }) => post({ type: 'ready', backend: info }),
        (e: Error) => post({ type: 'error', message: `backend: ${e.message}` }),
      );
      return;
    case 'selftest':
      requireBackend()
        .then(({ runtime, info }) => runSelfTest(runtime, info))
        .then(
          (result) => post({ type: 'selftest', id: msg.id, result }),
          (e: Error) => post({ type: 'error', id: msg.id, message: `self-test: ${e.message}` }),
        );
      return;
    case 'cache-status':
      cacheStatus(msg.purge).then(
        (status) => post({ type: 'cache-status', id: msg.id, status }),
        (e: Error) => post({ type: 'error', id: msg.id, message: `cache: ${e.message}` }),
      );
      return;
    case 'plan':
      planModel(msg.model, undefined, retryEvent(msg.id)).then(
        (plan) => post({ type: 'plan', id: msg.id, plan }),
        (e: { code?: string; message?: string }) => post({ type: 'error', id: msg.id, ...(e?.code ? { code: e.code } : {}), message: e?.message ?? String(e) }),
      );
      return;
    case 'generate':
      void generate(msg);
      return;
    case 'cancel':
      running?.abort(new Error('cancelled by the user'));
      return;
    default:
      post({
        type: 'error',
        message: `worker: unknown request type ${JSON.stringify((msg as { type?: unknown }).type)}; allowed: init, selftest, cache-status, plan, generate, cancel`,
      });
  }
};
