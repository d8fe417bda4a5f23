import { MaskgenError, quote } from './errors.js';

/** Element types the models and runtimes exchange; float16 is stored as raw IEEE half bits. */
export type DType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool' | 'uint8';

/** The typed array that holds each dtype's elements. */
export interface DataTypeMap {
  float32: Float32Array;
  float16: Uint16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  uint8: Uint8Array;
}

/**
 * A plain, runtime-independent tensor: dims plus a typed array in row-major order. Runtimes
 * convert to and from their own tensor types at the session boundary, so no ORT type leaks out.
 */
export interface Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly dims: readonly number[];
  readonly data: DataTypeMap[D];
}

/** Bytes per element, needed when validating byte ranges of weight files. */
export const DTYPE_BYTES: Record<DType, number> = { float32: 4, float16: 2, int32: 4, int64: 8, bool: 1, uint8: 1 };

/** Number of elements of a shape; validates dims so a hostile shape cannot produce NaN or negatives. */
export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new MaskgenError('INVALID_ARGUMENT', `dims: expected non-negative integers, got ${quote(dims)}`);
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new MaskgenError('INVALID_ARGUMENT', `dims: element count overflows, got ${quote(dims)}`);
  return n;
}

const CTORS = {
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  uint8: Uint8Array,
} as const;

/** Builds a tensor, checking that the data length matches the shape (a silent mismatch would corrupt results). */
export function tensor<D extends DType>(dtype: D, dims: readonly number[], data?: DataTypeMap[D] | ArrayLike<number>): Tensor<D> {
  const n = numel(dims);
  let arr: DataTypeMap[D];
  if (data === undefined) {
    arr = new CTORS[dtype](n) as DataTypeMap[D];
  } else if (ArrayBuffer.isView(data)) {
    if (!(data instanceof CTORS[dtype])) {
      throw new MaskgenError('UNSUPPORTED_DTYPE', `data: expected ${CTORS[dtype].name} for dtype ${dtype}, got ${data.constructor.name}`);
    }
    arr = data as DataTypeMap[D];
  } else if (dtype === 'int64') {
    arr = BigInt64Array.from(Array.from(data as ArrayLike<number>, (v) => BigInt(v))) as DataTypeMap[D];
  } else {
    arr = (CTORS[dtype] as unknown as { from(a: ArrayLike<number>): DataTypeMap[D] }).from(data as ArrayLike<number>);
  }
  if (arr.length !== n) {
    throw new MaskgenError('SHAPE_MISMATCH', `data: expected ${n} elements for dims ${quote(dims)}, got ${arr.length}`);
  }
  return { dtype, dims: [...dims], data: arr };
}

/** Reads element i of an integer tensor as a JS number (int64 included), for index bookkeeping. */
export function intAt(t: Tensor, i: number): number {
  const v = t.data[i];
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** Integer tensor contents as plain numbers; samplers work on ids as numbers. */
export function toNumbers(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** float32 -> IEEE half bits (round to nearest even), for optional float16 weights and inputs. */
export function float32ToFloat16(value: number): number {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  f[0] = value;
  const x = u[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** IEEE half bits -> float32 value. */
export function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Any float tensor as float32 values, so callers need not care whether a model ran in half precision. */
export function toFloat32(t: Tensor): Float32Array {
  if (t.dtype === 'float32') return t.data as Float32Array;
  if (t.dtype === 'float16') return Float32Array.from(t.data as Uint16Array, float16ToFloat32);
  return Float32Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}
