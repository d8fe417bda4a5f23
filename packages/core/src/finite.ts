import { MaskgenError } from './errors.js';
import type { Tensor } from './tensor.js';

/** What to do with NaN/±Inf in latents or outputs: refuse (default), or warn and go on. */
export interface NonFinitePolicy {
  /** Write the result anyway (NaN becomes black) and report through `onWarning` (CLI: --allow-nonfinite). */
  allowNonFinite?: boolean;
  /** Receives the warning when `allowNonFinite` lets non-finite values through. */
  onWarning?: (message: string) => void;
}

/** Counts NaN and ±Inf values (one pass, no allocation). */
export function countNonFinite(data: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) n++;
  return n;
}

/**
 * The rule for numbers leaving a model: NaN/±Inf (broken weights, a scale_factor of 0, hostile
 * latents) never silently become a black PNG with exit 0. Integer tensors pass unchecked.
 */
export function checkFinite(t: Tensor, what: string, policy: NonFinitePolicy = {}): void {
  if (t.dtype !== 'float32') return;
  const bad = countNonFinite(t.data as ArrayLike<number>);
  if (bad === 0) return;
  const message = `${what}: ${bad} of ${t.data.length} values are NaN or infinite (broken weights or inputs)`;
  if (!policy.allowNonFinite) throw new MaskgenError('NON_FINITE', `${message}; nothing was written. Check the checkpoint and inputs, or allow it with allowNonFinite (CLI: --allow-nonfinite)`);
  policy.onWarning?.(`${message}; continuing because non-finite values are allowed`);
}
