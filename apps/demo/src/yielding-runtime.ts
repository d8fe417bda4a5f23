import { type Runtime, type Session, throwIfAborted } from '@maskgen/core';

/** Resolves in a new task (a MessageChannel message: no 4 ms timer clamping), so queued messages run first. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * Lets the worker hear "cancel" on pages that are not cross-origin isolated (GitHub Pages and other
 * static hosts): there the page cannot share an abort flag, and a sampling loop chained on promises
 * never returns to the worker's event loop, so the cancel message would wait until the run ended.
 * Every session run first yields one task — the message handler aborts `signal()` — and then stops
 * if it was aborted. Costs one task switch per ONNX run.
 */
export function yieldingRuntime(runtime: Runtime, signal: () => AbortSignal | undefined): Runtime {
  return {
    name: runtime.name,
    async createSession(model, opts) {
      const s = await runtime.createSession(model, opts);
      const wrapped: Session = {
        inputNames: s.inputNames,
        outputNames: s.outputNames,
        async run(feeds, o) {
          await nextTask();
          throwIfAborted(o?.signal ?? signal(), `session ${model.name}`);
          return s.run(feeds, o);
        },
        dispose: () => s.dispose(),
      };
      return wrapped;
    },
  };
}
