import { MaskgenError, quote } from '@maskgen/core';

/** The float64 arrays of a (respaced) Gaussian diffusion, named as the golden case records them. */
export interface DiffusionSchedule {
  betas: Float64Array;
  alphasCumprod: Float64Array;
  alphasCumprodPrev: Float64Array;
  sqrtRecipAlphasCumprod: Float64Array;
  sqrtRecipm1AlphasCumprod: Float64Array;
  posteriorVariance: Float64Array;
  posteriorLogVarianceClipped: Float64Array;
  posteriorMeanCoef1: Float64Array;
  posteriorMeanCoef2: Float64Array;
  logBetas: Float64Array;
  /** Respaced step → original 1000-step timestep (what the network is fed). */
  timestepMap: Int32Array;
  baseBetas: Float64Array;
}

/** The improved-DDPM cosine schedule: β_t = min(1 − ᾱ(t+1)/ᾱ(t), 0.999), ᾱ(t) = cos²((t/T + 0.008)/1.008 · π/2). */
export function cosineBetas(T: number): Float64Array {
  const ab = (t: number) => Math.cos((((t + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  return Float64Array.from({ length: T }, (_, i) => Math.min(1 - ab((i + 1) / T) / ab(i / T), 0.999));
}

/** Python's round(): exact halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * guided-diffusion's `space_timesteps`: one section count like "100", several comma-separated
 * ("50,25": equal sections of the 1000 steps), or "ddimN" (the integer stride giving N steps).
 */
export function spaceTimesteps(T: number, respacing: string): number[] {
  if (respacing.startsWith('ddim')) {
    const want = Number(respacing.slice(4));
    for (let stride = 1; stride < T; stride++) if (Math.ceil(T / stride) === want) return Array.from({ length: want }, (_, i) => i * stride);
    throw new MaskgenError(
      'INVALID_CONFIG',
      `losses.num_sampling_steps: cannot create exactly ${quote(respacing.slice(4))} steps with an integer stride out of ${T}`,
    );
  }
  const counts = respacing.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN));
  if (counts.some((c) => !Number.isInteger(c) || c < 1))
    throw new MaskgenError('INVALID_CONFIG', `losses.num_sampling_steps: expected step counts like "100", got ${quote(respacing)}`);
  const per = Math.floor(T / counts.length);
  let extra = T % counts.length;
  let start = 0;
  const all = new Set<number>();
  for (const count of counts) {
    const size = per + (extra > 0 ? 1 : 0);
    extra--;
    if (size < count) throw new MaskgenError('INVALID_CONFIG', `losses.num_sampling_steps: cannot take ${count} steps out of ${size}`);
    const stride = count <= 1 ? 1 : (size - 1) / (count - 1);
    let cur = 0;
    for (let i = 0; i < count; i++) {
      all.add(start + roundHalfEven(cur));
      cur += stride;
    }
    start += size;
  }
  return [...all].sort((a, b) => a - b);
}

/** The respaced schedule DiffLoss samples with (numpy float64 arithmetic, in the same order). */
export function respacedSchedule(respacing: string, T = 1000): DiffusionSchedule {
  const base = cosineBetas(T);
  const use = new Set(spaceTimesteps(T, respacing || String(T)));
  const betas: number[] = [];
  const map: number[] = [];
  let last = 1;
  let ac = 1;
  for (let i = 0; i < T; i++) {
    ac *= 1 - base[i];
    if (use.has(i)) {
      betas.push(1 - ac / last);
      last = ac;
      map.push(i);
    }
  }
  const n = betas.length;
  const b = Float64Array.from(betas);
  const alphasCumprod = new Float64Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) alphasCumprod[i] = acc *= 1 - b[i];
  const prev = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1 : alphasCumprod[i - 1]));
  const pv = Float64Array.from({ length: n }, (_, i) => (b[i] * (1 - prev[i])) / (1 - alphasCumprod[i]));
  return {
    betas: b,
    alphasCumprod,
    alphasCumprodPrev: prev,
    sqrtRecipAlphasCumprod: alphasCumprod.map((a) => Math.sqrt(1 / a)),
    sqrtRecipm1AlphasCumprod: alphasCumprod.map((a) => Math.sqrt(1 / a - 1)),
    posteriorVariance: pv,
    posteriorLogVarianceClipped: Float64Array.from({ length: n }, (_, i) => Math.log(n > 1 && i === 0 ? pv[1] : pv[i])),
    posteriorMeanCoef1: Float64Array.from({ length: n }, (_, i) => (b[i] * Math.sqrt(prev[i])) / (1 - alphasCumprod[i])),
    posteriorMeanCoef2: Float64Array.from({ length: n }, (_, i) => ((1 - prev[i]) * Math.sqrt(1 - b[i])) / (1 - alphasCumprod[i])),
    logBetas: b.map(Math.log),
    timestepMap: Int32Array.from(map),
    baseBetas: base,
  };
}

/**
 * One reverse step (p_sample) for ε-prediction with learned-range variance and clip_denoised=False,
 * in float32 like the reference (schedule values are float64 cast to float32 when indexed).
 */
export function pSample(
  s: DiffusionSchedule,
  i: number,
  x: Float32Array,
  eps: Float32Array,
  varValues: Float32Array,
  noise: Float32Array,
  temperature: number,
): Float32Array {
  const f = Math.fround;
  const minLog = f(s.posteriorLogVarianceClipped[i]);
  const maxLog = f(s.logBetas[i]);
  const sr = f(s.sqrtRecipAlphasCumprod[i]);
  const srm1 = f(s.sqrtRecipm1AlphasCumprod[i]);
  const c1 = f(s.posteriorMeanCoef1[i]);
  const c2 = f(s.posteriorMeanCoef2[i]);
  const nonzero = i !== 0 ? 1 : 0;
  const temp = f(temperature);
  const out = new Float32Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const frac = f(f(varValues[k] + 1) / 2);
    const logVar = f(f(frac * maxLog) + f(f(1 - frac) * minLog));
    const x0 = f(f(sr * x[k]) - f(srm1 * eps[k]));
    const mean = f(f(c1 * x0) + f(c2 * x[k]));
    out[k] = f(mean + f(f(f(nonzero * f(Math.exp(f(0.5 * logVar)))) * noise[k]) * temp));
  }
  return out;
}
