import { MaskgenError } from './errors.js';

/**
 * Long calls check their signal between units of work (steps, files, chunks); this turns an abort
 * into the library's error type while keeping the caller's reason as the cause.
 */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) {
    throw new MaskgenError('ABORTED', `${what} was aborted`, { cause: signal.reason });
  }
}

/** True for errors that mean "the caller cancelled", whichever layer raised them. */
export function isAbortError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { name?: string; code?: string };
  return err.code === 'ABORTED' || err.name === 'AbortError';
}
