import { throwIfAborted } from '../abort.js';
import { checkRange, type FileHandle } from '../file-handle.js';
import type { SafetensorsFile } from '../safetensors.js';

/** Weight formats a model's linear layers can run in; int8 is opt-in (see `quantizeBlockwiseInt8`). */
export type WeightPrecision = 'float32' | 'int8';

/** Elements per quantisation block along the input axis (one float32 scale each). */
export const INT8_BLOCK = 32;

/**
 * Symmetric block-wise int8 of an `nn.Linear` weight [N, K] (row-major, as PyTorch stores it) in
 * MatMulNBits' layout: per output row n and block b of 32 inputs, q = round(w / s) + 128 with
 * s = max|w| / 127, so w ≈ (q − 128)·s. K is zero-padded to whole blocks. A quarter of the float32
 * bytes, and the error of each weight is at most half a step of its own block.
 */
export function quantizeBlockwiseInt8(w: Float32Array, N: number, K: number, bs = INT8_BLOCK): { q: Uint8Array; scales: Float32Array } {
  const kb = Math.ceil(K / bs);
  const q = new Uint8Array(N * kb * bs).fill(128);
  const scales = new Float32Array(N * kb);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kb; b++) {
      const lo = n * K + b * bs;
      const hi = n * K + Math.min(K, (b + 1) * bs);
      let m = 0;
      for (let i = lo; i < hi; i++) m = Math.max(m, Math.abs(w[i]));
      const s = m > 0 && Number.isFinite(m) ? m / 127 : 1;
      scales[n * kb + b] = s;
      const out = (n * kb + b) * bs - lo;
      for (let i = lo; i < hi; i++) q[out + i] = Math.max(1, Math.min(255, Math.round(w[i] / s) + 128));
    }
  }
  return { q, scales };
}

interface Segment {
  offset: number;
  length: number;
  make: (signal?: AbortSignal) => Promise<Uint8Array>;
}

/**
 * A FileHandle whose bytes are computed from checkpoint tensors when a runtime reads them, so graph
 * building stays synchronous and no quantised copy is held once the runtime has taken it.
 */
export class DerivedWeights implements FileHandle {
  private segments: Segment[] = [];
  size = 0;
  /** The checkpoint files the segments are computed from, and the quantiser's version (bump it when its output changes). */
  readonly derivedFrom = { files: [] as FileHandle[], recipe: `int8-blockwise-sym-${INT8_BLOCK}-v1` };

  constructor(readonly name: string) {}

  /** Reserves `length` bytes (64-aligned) produced by `make`; returns their offset. */
  add(length: number, make: Segment['make']): number {
    const offset = this.size;
    this.segments.push({ offset, length, make });
    this.size += Math.ceil(length / 64) * 64;
    return offset;
  }

  async read(offset: number, length: number, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length);
    const out = new Uint8Array(length);
    for (const s of this.segments) {
      if (s.offset + s.length <= offset || s.offset >= offset + length) continue;
      throwIfAborted(opts.signal, `computing ${this.name}`);
      const bytes = await s.make(opts.signal);
      const from = Math.max(offset, s.offset);
      const to = Math.min(offset + length, s.offset + s.length);
      out.set(bytes.subarray(from - s.offset, to - s.offset), from - offset);
    }
    return out;
  }
}

/** Lazily quantises one checkpoint weight; the scales and the ids share one computation. */
export function int8Source(st: SafetensorsFile, name: string, N: number, K: number): (part: 'q' | 'scales', signal?: AbortSignal) => Promise<Uint8Array> {
  let pending: Promise<{ q: Uint8Array; scales: Float32Array }> | undefined;
  let taken = 0;
  return async (part, signal) => {
    pending ??= st.readFloat32(name, { signal }).then((w) => quantizeBlockwiseInt8(w, N, K));
    const r = await pending;
    // Both halves read once: drop the cached result so the JS heap does not keep a copy for the session's life.
    if (++taken === 2) pending = undefined;
    return part === 'q' ? r.q : new Uint8Array(r.scales.buffer);
  };
}
