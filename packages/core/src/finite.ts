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
  if (!policy.allowNonFinite)
    throw new MaskgenError(
      'NON_FINITE',
      `${message}; nothing was written. Check the checkpoint and inputs, or allow it with allowNonFinite (CLI: --allow-nonfinite)`,
    );
  policy.onWarning?.(`${message}; continuing because non-finite values are allowed`);
}

/** Exponent masks of the float formats weights come in: all exponent bits set means NaN or ±Inf. */
const EXPONENT: Readonly<Record<string, { bytes: 2 | 4; mask: number }>> = {
  F32: { bytes: 4, mask: 0x7f800000 },
  F16: { bytes: 2, mask: 0x7c00 },
  BF16: { bytes: 2, mask: 0x7f80 },
};

/**
 * Index of the first NaN/±Inf element in little-endian bytes of a safetensors dtype (F32, F16, BF16;
 * F64 is checked on its high word), or -1. Integer and bool dtypes have no such values: -1. One
 * integer mask per element, no conversion, so it runs while weight bytes stream past.
 */
export function firstNonFiniteBytes(bytes: Uint8Array, stDtype: string): number {
  if (stDtype === 'F64') {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i + 8 <= bytes.byteLength; i += 8) if ((v.getUint32(i + 4, true) & 0x7ff00000) === 0x7ff00000) return i / 8;
    return -1;
  }
  const f = Object.hasOwn(EXPONENT, stDtype) ? EXPONENT[stDtype] : undefined;
  if (!f) return -1;
  const n = Math.floor(bytes.byteLength / f.bytes);
  const mask = f.mask;
  if (bytes.byteOffset % f.bytes === 0) {
    return f.bytes === 4 ? scan32(new Uint32Array(bytes.buffer, bytes.byteOffset, n), mask) : scan16(new Uint16Array(bytes.buffer, bytes.byteOffset, n), mask);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) if (((f.bytes === 4 ? v.getUint32(i * 4, true) : v.getUint16(i * 2, true)) & mask) === mask) return i;
  return -1;
}

// One loop per array type: a loop that sees both types is deoptimised (8x slower on float16).
function scan32(u: Uint32Array, mask: number): number {
  for (let i = 0; i < u.length; i++) if ((u[i] & mask) === mask) return i;
  return -1;
}

function scan16(u: Uint16Array, mask: number): number {
  for (let i = 0; i < u.length; i++) if ((u[i] & mask) === mask) return i;
  return -1;
}

/** The value of element `i` of raw float bytes, for messages ("NaN", "Infinity", "-Infinity"). */
export function describeNonFinite(bytes: Uint8Array, stDtype: string, i: number): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sign: number;
  let mantissa: number;
  if (stDtype === 'F64') (sign = v.getUint32(i * 8 + 4, true) >>> 31), (mantissa = (v.getUint32(i * 8 + 4, true) & 0xfffff) | v.getUint32(i * 8, true));
  else if (stDtype === 'F32') (sign = v.getUint32(i * 4, true) >>> 31), (mantissa = v.getUint32(i * 4, true) & 0x7fffff);
  else (sign = v.getUint16(i * 2, true) >>> 15), (mantissa = v.getUint16(i * 2, true) & (stDtype === 'F16' ? 0x3ff : 0x7f));
  return mantissa !== 0 ? 'NaN' : sign ? '-Infinity' : 'Infinity';
}
