import { throwIfAborted } from './abort.js';
import { MaskgenError, isMaskgenError } from './errors.js';
import { type ValueSpec, checkFeeds, checkOutputs, runFailure } from './feed-check.js';
import type { Session } from './runtime.js';
import type { Tensor } from './tensor.js';

/** The few calls a runtime's native session offers; runtimes adapt ORT's session to this. */
export interface RawSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The declared inputs and outputs (ORT's inputMetadata/outputMetadata), checked around every run. */
  readonly inputs?: readonly ValueSpec[];
  readonly outputs?: readonly ValueSpec[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/**
 * Turns a raw session into a core Session with the behaviour every runtime must share: runs are
 * queued (ORT sessions are not re-entrant on every backend), aborted runs never start, feeds are
 * checked against the declared inputs (errors name the tensor, not an ONNX node), engine failures
 * become MaskgenError('SHAPE_MISMATCH' or 'RUNTIME'), and dispose waits for queued runs before releasing.
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
        if (raw.inputs) checkFeeds(modelName, raw.inputs, feeds);
        let out: Record<string, Tensor>;
        try {
          out = await raw.run(feeds);
        } catch (cause) {
          if (isMaskgenError(cause)) throw cause;
          throw runFailure(runtimeName, modelName, cause, feeds, raw.inputs);
        }
        if (raw.outputs) checkOutputs(modelName, raw.outputs, out);
        return out;
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
