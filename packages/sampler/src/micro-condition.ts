/**
 * MaskGen-VQ's aesthetic micro-condition: diffusers-style sinusoidal features [sin | cos] of
 * score·100 with max period 1000, computed step by step in float32 like the reference.
 */
export function vqMicroCondition(scores: ArrayLike<number>, dim: number, maxPeriod = 1000): Float32Array {
  const f = Math.fround;
  const half = Math.floor(dim / 2);
  const freqs = Array.from({ length: half }, (_, i) => f(Math.exp(f(f(-Math.log(maxPeriod) * i) / half))));
  const out = new Float32Array(scores.length * dim);
  for (let b = 0; b < scores.length; b++) {
    const t = f(f(scores[b]) * 100);
    for (let i = 0; i < half; i++) {
      const a = f(t * freqs[i]);
      out[b * dim + i] = Math.sin(a);
      out[b * dim + half + i] = Math.cos(a);
    }
  }
  return out;
}
