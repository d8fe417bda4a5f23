import { MaskgenError, quote } from './errors.js';
import type { Tensor } from './tensor.js';
import { numel, toFloat32 } from './tensor.js';

/** The kinds of random draw the reference makes, named as the golden cases record them. */
export type DrawKind = 'uniform_' | 'randn' | 'randn_like' | 'np_shuffle';

/**
 * All randomness of the samplers goes through this interface, so a seed reproduces a run on every
 * platform and a golden case's recorded draws can be replayed to reproduce the reference exactly.
 */
export interface Rng {
  /** Uniform floats in [low, high) (torch `uniform_`). */
  uniform(dims: readonly number[], low?: number, high?: number): Float32Array;
  /** Standard normal floats (torch `randn`, or `randn_like` when `like` is set). */
  normal(dims: readonly number[], opts?: { like?: boolean }): Float32Array;
  /** A random permutation of 0..n-1 (numpy `shuffle` of `arange(n)`). */
  shuffle(n: number): Int32Array;
}

/**
 * Seeded generator: xoshiro128** (state seeded by splitmix32 from the 53-bit seed, low then high
 * word). Uniforms use 53-bit doubles from two 32-bit outputs; normals use Box–Muller (both values of
 * a pair are used); shuffles are Fisher–Yates from the end with unbiased bounded integers. Pure
 * 32-bit integer math, so the stream is identical in every JS engine.
 */
export class SeededRng implements Rng {
  private s = new Uint32Array(4);
  private spare: number | undefined;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new MaskgenError('INVALID_ARGUMENT', `seed: expected a non-negative safe integer, got ${quote(seed)}`);
    }
    let x = (seed % 2 ** 32) >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const mix = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s[0] = mix();
    this.s[1] = mix() ^ hi;
    this.s[2] = mix();
    this.s[3] = mix();
    if (!(this.s[0] | this.s[1] | this.s[2] | this.s[3])) this.s[0] = 1;
  }

  /** Next 32-bit output of xoshiro128**. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  uniform(dims: readonly number[], low = 0, high = 1): Float32Array {
    const out = new Float32Array(numel(dims));
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.nextDouble();
    return out;
  }

  normal(dims: readonly number[]): Float32Array {
    const out = new Float32Array(numel(dims));
    for (let i = 0; i < out.length; i++) {
      if (this.spare !== undefined) {
        out[i] = this.spare;
        this.spare = undefined;
        continue;
      }
      let u = 0;
      while (u === 0) u = this.nextDouble();
      const v = this.nextDouble();
      const r = Math.sqrt(-2 * Math.log(u));
      out[i] = r * Math.cos(2 * Math.PI * v);
      this.spare = r * Math.sin(2 * Math.PI * v);
    }
    return out;
  }

  shuffle(n: number): Int32Array {
    const out = Int32Array.from({ length: numel([n]) }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  private below(bound: number): number {
    const limit = 2 ** 32 - (2 ** 32 % bound);
    let x: number;
    do x = this.nextU32();
    while (x >= limit);
    return x % bound;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** One recorded draw of a golden case. */
export interface RecordedDraw {
  kind: string;
  shape: readonly number[];
  tensor: Tensor;
}

/**
 * Serves a golden case's recorded draws back in order, failing loudly on the first kind or shape
 * mismatch — that is how a divergence in draw order is found instead of silently different output.
 */
export class ReplayRng implements Rng {
  private index = 0;

  constructor(private readonly draws: readonly RecordedDraw[]) {}

  /** Draws not yet consumed; a complete replay ends at 0. */
  get remaining(): number {
    return this.draws.length - this.index;
  }

  private take(kinds: readonly string[], dims: readonly number[]): RecordedDraw {
    const d = this.draws[this.index];
    const want = `${kinds.join('|')} ${quote(dims)}`;
    if (!d)
      throw new MaskgenError('RNG_REPLAY_MISMATCH', `replay: draw #${this.index} requested (${want}) but the recording has only ${this.draws.length} draws`);
    const sameShape = d.shape.length === dims.length && d.shape.every((v, i) => v === dims[i]);
    if (!kinds.includes(d.kind) || !sameShape) {
      throw new MaskgenError('RNG_REPLAY_MISMATCH', `replay: draw #${this.index} requested ${want} but the recording has ${d.kind} ${quote(d.shape)}`);
    }
    this.index++;
    return d;
  }

  uniform(dims: readonly number[], low = 0, high = 1): Float32Array {
    const d = this.take(['uniform_', 'rand'], dims);
    void low;
    void high;
    return Float32Array.from(toFloat32(d.tensor));
  }

  normal(dims: readonly number[], opts?: { like?: boolean }): Float32Array {
    const d = this.take(opts?.like === undefined ? ['randn', 'randn_like'] : [opts.like ? 'randn_like' : 'randn'], dims);
    return Float32Array.from(toFloat32(d.tensor));
  }

  shuffle(n: number): Int32Array {
    const d = this.take(['np_shuffle'], [n]);
    return Int32Array.from(d.tensor.data as ArrayLike<number | bigint>, (v) => Number(v));
  }
}
