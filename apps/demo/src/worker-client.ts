import type {
  BackendInfo,
  BackendRequest,
  CacheStatus,
  DoneEvent,
  GenerateRequest,
  ModelPlan,
  ModelRequest,
  SelfTestResult,
  WorkerEvent,
  WorkerRequest,
} from './protocol.js';

/** Callbacks for the streamed events of one generation. */
export interface GenerateHandlers {
  onEvent?: (e: WorkerEvent) => void;
}

/** A worker failure as an Error with the library's code (ABORTED for cancels). */
export class WorkerError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

/**
 * The page's side of the worker protocol: requests become promises, streamed events go to the
 * current handlers. One generation at a time, as the worker runs one at a time.
 */
export class WorkerClient {
  readonly ready: Promise<BackendInfo>;
  private readonly worker: Worker;
  private nextId = 1;
  private readonly cancelFlag = typeof SharedArrayBuffer !== 'undefined' && crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
  private current = 0;
  private pending = new Map<number, { kind: WorkerRequest['type']; resolve: (v: never) => void; reject: (e: Error) => void; handlers?: GenerateHandlers }>();

  constructor(backend: BackendRequest) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'maskgen-pipeline' });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (ev: MessageEvent<WorkerEvent>) => {
        if (ev.data.type === 'ready') resolve(ev.data.backend);
        else if (ev.data.type === 'error' && ev.data.id === undefined) reject(new WorkerError(ev.data.code, ev.data.message));
        else return;
        this.worker.removeEventListener('message', onReady);
      };
      this.worker.addEventListener('message', onReady);
      this.worker.addEventListener('error', (ev) => reject(new WorkerError(undefined, `worker failed to start: ${ev.message || 'see the console'}`)));
    });
    this.worker.addEventListener('message', (ev: MessageEvent<WorkerEvent>) => this.dispatch(ev.data));
    this.send({ type: 'init', backend, ...(this.cancelFlag ? { cancelFlag: this.cancelFlag } : {}) });
  }

  private send(msg: WorkerRequest): void {
    this.worker.postMessage(msg);
  }

  private dispatch(e: WorkerEvent): void {
    if (!('id' in e) || e.id === undefined) return;
    const p = this.pending.get(e.id);
    if (!p) return;
    p.handlers?.onEvent?.(e);
    // A generation streams 'plan' and 'retry' events; only a plan request ends with its plan.
    if (e.type === 'done' || e.type === 'selftest' || e.type === 'cache-status' || (e.type === 'plan' && p.kind === 'plan')) {
      this.pending.delete(e.id);
      p.resolve((e.type === 'done' ? e : e.type === 'selftest' ? e.result : e.type === 'plan' ? e.plan : e.status) as never);
    } else if (e.type === 'error') {
      this.pending.delete(e.id);
      p.reject(new WorkerError(e.code, e.message));
    }
  }

  private request<T>(build: (id: number) => WorkerRequest, handlers?: GenerateHandlers): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const msg = build(id);
      this.pending.set(id, { kind: msg.type, resolve: resolve as (v: never) => void, reject, handlers });
      this.send(msg);
    });
  }

  /** Runs the backend self-test (tiny graph) in the worker. */
  selfTest(): Promise<SelfTestResult> {
    return this.request((id) => ({ type: 'selftest', id }));
  }

  /**
   * The model cache's contents, after deleting everything when `purge` is set. Asked of the worker,
   * which already holds runtime-web: importing it here would put ONNX Runtime in the page's bundle.
   */
  cacheStatus(purge = false): Promise<CacheStatus> {
    return this.request((id) => ({ type: 'cache-status', id, purge }));
  }

  /** Download size and memory of a model choice, from the hub's metadata (nothing is downloaded). */
  plan(model: ModelRequest, handlers?: GenerateHandlers): Promise<ModelPlan> {
    return this.request((id) => ({ type: 'plan', id, model }), handlers);
  }

  /** Starts a generation; resolves with the final images, rejects with code ABORTED on cancel. */
  generate(req: Omit<GenerateRequest, 'type' | 'id'>, handlers?: GenerateHandlers): Promise<DoneEvent> {
    return this.request((id) => {
      this.current = id;
      return { ...req, type: 'generate', id };
    }, handlers);
  }

  /** Aborts the running generation (the worker's AbortController); its promise rejects with ABORTED. */
  cancel(): void {
    if (this.cancelFlag) Atomics.store(this.cancelFlag, 0, this.current);
    this.send({ type: 'cancel' });
  }
}
