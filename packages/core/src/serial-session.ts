import { throwIfAborted } from './abort.js';
import { MaskgenError, isMaskgenError } from './errors.js';
import type { Session } from './runtime.js';
import type { Tensor } from './tensor.js';

/** The few calls a runtime's native session offers; runtimes adapt ORT's session to this. */
export interface RawSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/**
 * Turns a raw session into a core Session with the behaviour every runtime must share: runs are
 * queued (ORT sessions are not re-entrant on every backend), aborted runs never start, failures
 * become MaskgenError('RUNTIME'), and dispose waits for queued runs before releasing.
 */
export function serialSession(modelName: string, runtimeName: string, raw: RawSession): Session {
  let disposed = false;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    inputNames: raw.inputNames,
    outputNames: raw.outputNames,
    run(feeds, opts = {}) {
      const job = queue.then(async () => {
        if (disposed) throw new MaskgenError('DISPOSED', `session ${modelName} was disposed`);
        throwIfAborted(opts.signal, `run of ${modelName}`);
        try {
          return await raw.run(feeds);
        } catch (cause) {
          if (isMaskgenError(cause)) throw cause;
          throw new MaskgenError('RUNTIME', `${runtimeName} failed to run ${modelName}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
        }
      });
      queue = job.catch(() => undefined);
      return job;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await queue;
      await raw.release();
    },
  };
}
