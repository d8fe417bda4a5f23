/**
 * Float64 reference implementations used to check runtime results independently of ONNX Runtime.
 * Deliberately naive: clarity over speed, so a bug here is unlikely to mirror a bug in a graph.
 */

/** Deterministic pseudo-random floats in [-1, 1) for test inputs (LCG; no dependency on core's Rng). */
export function testData(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** [rows, inner] × [out, inner]^T (+ bias) — PyTorch Linear. */
export function refLinear(x: ArrayLike<number>, rows: number, inner: number, w: ArrayLike<number>, out: number, b?: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < out; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inner; i++) s += x[r * inner + i] * w[o * inner + i];
      y[r * out + o] = s;
    }
  return y;
}

/** LayerNorm over rows of length d (biased variance, like PyTorch). */
export function refLayerNorm(x: ArrayLike<number>, d: number, w: ArrayLike<number>, b: ArrayLike<number> | null, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[r * d + i];
    mean /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[r * d + i] - mean) ** 2;
    v /= d;
    for (let i = 0; i < d; i++) y[r * d + i] = ((x[r * d + i] - mean) / Math.sqrt(v + eps)) * w[i] + (b ? b[i] : 0);
  }
  return y;
}

/** erf by Abramowitz–Stegun 7.1.26 refined with a series for small |x| (error < 1e-12 in the range used). */
export function erf(x: number): number {
  if (Math.abs(x) < 2.5) {
    let sum = x;
    let term = x;
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    1 -
    t *
      Math.exp(
        -x * x -
          1.26551223 +
          t *
            (1.00002368 +
              t *
                (0.37409196 +
                  t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return x >= 0 ? y : -y;
}

/** Activations the builder emits, by name. */
export const refActivations: Record<string, (x: number) => number> = {
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  'gelu-tanh': (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  'quick-gelu': (x) => x / (1 + Math.exp(-1.702 * x)),
  silu: (x) => x / (1 + Math.exp(-x)),
};

/** Multi-head attention on [B, L, D] q/k/v with an optional additive mask [L, L]. */
export function refAttention(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  L: number,
  H: number,
  dh: number,
  mask?: ArrayLike<number>,
): Float64Array {
  const D = H * dh;
  const out = new Float64Array(B * L * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < L; i++) {
        const scores = new Float64Array(L);
        let max = -Infinity;
        for (let j = 0; j < L; j++) {
          let s = 0;
          for (let e = 0; e < dh; e++) s += q[(b * L + i) * D + h * dh + e] * k[(b * L + j) * D + h * dh + e];
          s = s / Math.sqrt(dh) + (mask ? mask[i * L + j] : 0);
          scores[j] = s;
          max = Math.max(max, s);
        }
        let z = 0;
        for (let j = 0; j < L; j++) z += scores[j] = Math.exp(scores[j] - max);
        for (let e = 0; e < dh; e++) {
          let s = 0;
          for (let j = 0; j < L; j++) s += (scores[j] / z) * v[(b * L + j) * D + h * dh + e];
          out[(b * L + i) * D + h * dh + e] = s;
        }
      }
  return out;
}

/** Largest absolute difference, for assertions with a stated tolerance. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i]) - Number(b[i])));
  return m;
}
