const f = Math.fround;
const R_LN2 = f(1.4426950408889634);
const L2U = f(0.693145751953125);
const L2L = f(1.428606765330187e-6);
const POLY = [
  0.000198527617612853646278381, 0.00139304355252534151077271, 0.00833336077630519866943359, 0.0416664853692054748535156, 0.166666671633720397949219, 0.5,
].map(f);

/** a·b + c rounded once to float32 (the product of two float32 values is exact in a double). */
const fma = (a: number, b: number, c: number) => f(a * b + c);

/** Round half to even, as the SIMD rounding instruction does. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * float32 exp exactly as PyTorch's CPU kernels compute it (SLEEF `expf_u10`: Cody–Waite reduction by
 * ln 2, a degree-6 polynomial with fused multiply-adds, scaling by 2^q). It differs from the correctly
 * rounded value in about one case in six; the diffusion MLP's timestep frequencies are such values,
 * and an ulp there moves sin/cos of t·freq (t up to 999) by up to 6e-5, which the first reverse step
 * of the diffusion multiplies by sqrt(1/ᾱ − 1) ≈ 2·10⁴.
 */
export function torchExpf(x: number): number {
  const d = f(x);
  if (d < -104) return 0;
  if (d > 100) return Infinity;
  const q = rint(f(d * R_LN2));
  let s = fma(q, -L2U, d);
  s = fma(q, -L2L, s);
  let u = POLY[0];
  for (let i = 1; i < POLY.length; i++) u = fma(u, s, POLY[i]);
  u = f(1 + fma(f(s * s), u, s));
  return f(u * 2 ** q);
}

/**
 * The frequencies of the reference's `TimestepEmbedder.timestep_embedding` in float32:
 * exp(−ln(max_period) · i / half), with the product and quotient rounded as torch rounds them.
 */
export function timestepFrequencies(dim: number, maxPeriod = 10000): Float32Array {
  const half = Math.floor(dim / 2);
  const negLog = f(-Math.log(maxPeriod));
  return Float32Array.from({ length: half }, (_, i) => torchExpf(f(f(negLog * i) / half)));
}
