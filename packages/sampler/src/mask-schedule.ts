import { MaskgenError, quote } from '@maskgen/core';

/** Mask schedules of the reference (`get_masking_ratio`). */
export const MASK_SCHEDULES = ['arccos', 'cosine', 'linear', 'square', 'root'] as const;
export type MaskSchedule = (typeof MASK_SCHEDULES)[number];

const f = Math.fround;

/**
 * Fraction of tokens still masked after progress `r`, computed in float32 as the reference does
 * (it wraps the Python float in a float32 tensor), so floor(N · ratio) lands on the same integer.
 */
export function maskingRatio(progress: number, mode: string): number {
  const r = f(progress);
  switch (mode) {
    case 'root':
      return f(1 - f(Math.sqrt(r)));
    case 'square':
      return f(1 - f(r * r));
    case 'cosine':
      return f(Math.cos(f(f(r * f(Math.PI)) * 0.5)));
    case 'arccos':
      return f(f(Math.acos(r)) / f(Math.PI * 0.5));
    case 'linear':
      return f(1 - r);
    default:
      throw new MaskgenError('INVALID_ARGUMENT', `mask schedule: expected one of ${MASK_SCHEDULES.join(', ')}, got ${quote(mode)}`);
  }
}

/** Guidance decay modes of MaskGen-VQ's generate. */
export const GUIDANCE_DECAYS = ['cosine', 'flippedcosine', 'linear', 'none'] as const;
export type GuidanceDecay = (typeof GUIDANCE_DECAYS)[number];

/** The CFG scale at progress `ratio`, with the reference's float32/float64 mix reproduced. */
export function guidanceAt(decay: GuidanceDecay, scale: number, ratio: number, pow: number): number {
  switch (decay) {
    case 'cosine': {
      const x = f(Math.pow(f(ratio), f(pow)));
      const step = f(f(f(1 - f(Math.cos(f(x * f(Math.PI))))) * 1) / 2);
      return f(f(f(scale - 1) * step) + 1);
    }
    case 'flippedcosine': {
      const x = f(Math.pow(f(ratio), f(pow)));
      const step = f(f(f(Math.cos(f(x * f(Math.PI)))) * 1) / 2);
      return f(f(f(scale - 1) * step) + 1);
    }
    case 'linear':
      return ratio * (scale - 1) + 1;
    case 'none':
      return scale;
    default:
      throw new MaskgenError('INVALID_ARGUMENT', `guidance decay: expected one of ${GUIDANCE_DECAYS.join(', ')}, got ${quote(decay)}`);
  }
}
