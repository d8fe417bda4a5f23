import { ApiError } from './api-error.js';

interface Waiting {
  start: () => void;
  fail: (e: unknown) => void;
}

/**
 * A bounded first-in-first-out queue in front of the model: at most `concurrency` jobs run, at
 * most `maxWaiting` wait, and the next one is refused at once with 429 and a `Retry-After` estimated
 * from recent job times, so load turns into fast refusals instead of growing memory and latency.
 */
export class JobQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  private averageMs = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

  /** Jobs waiting for a slot. */
  get depth(): number {
    return this.waiting.length;
  }

  /** Jobs holding a slot. */
  get active(): number {
    return this.running;
  }

  /** True when the next job would be refused. */
  get full(): boolean {
    return this.running >= this.concurrency && this.waiting.length >= this.maxWaiting;
  }

  /** The 429 a refused job gets, with `Retry-After`. */
  busyError(): ApiError {
    const retry = this.retryAfterSeconds();
    return new ApiError(429, `the server is busy: ${this.running} generating and ${this.waiting.length} waiting; retry in ${retry} s`, 'queue_full', null, {
      'retry-after': String(retry),
    });
  }

  /** Seconds until a slot is likely free, from the running average of job durations (at least 1). */
  retryAfterSeconds(): number {
    const ahead = (this.waiting.length + this.running) / this.concurrency;
    return Math.max(1, Math.ceil((this.averageMs * ahead) / 1000));
  }

  /**
   * Runs `job` when a slot is free. Throws a 429 ApiError when the queue is full; a job whose
   * `signal` aborts while waiting leaves the queue without ever running.
   */
  async run<T>(job: () => Promise<T>, signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    if (this.running >= this.concurrency) {
      if (this.full) throw this.busyError();
      await new Promise<void>((resolve, reject) => {
        const entry: Waiting = {
          start: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
          fail: reject,
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal.reason);
          this.notifyIdle();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(entry);
      });
    } else {
      this.running++;
    }
    const t0 = performance.now();
    try {
      return await job();
    } finally {
      const ms = performance.now() - t0;
      this.averageMs = this.averageMs === 0 ? ms : 0.8 * this.averageMs + 0.2 * ms;
      const next = this.waiting.shift();
      // The slot passes straight to the next job, so `running` never dips and lets a newcomer jump the queue.
      if (next) next.start();
      else this.running--;
      this.notifyIdle();
    }
  }

  /** Resolves once nothing runs or waits (used to drain before exit). */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.running !== 0 || this.waiting.length !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
