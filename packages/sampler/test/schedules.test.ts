import { toFloat32 } from '@maskgen/core';
import { expectMaskgenError } from '@maskgen/test-utils';
import { describe, expect, it } from 'vitest';
import { GUIDANCE_DECAYS, MASK_SCHEDULES, guidanceAt, maskingRatio } from '../src/index.js';
import { addGumbel, gumbel } from '../src/gumbel.js';
import { vqMicroCondition } from '../src/micro-condition.js';
import { openSamplerCase } from './goldens.js';

describe('mask schedules and guidance decay', () => {
  it('run from all-masked to none-masked, monotonically, for every schedule', () => {
    for (const mode of MASK_SCHEDULES) {
      const values = Array.from({ length: 17 }, (_, i) => maskingRatio(i / 16, mode));
      expect(values[0]).toBeCloseTo(1, 6);
      expect(Math.abs(values[16])).toBeLessThan(1e-6);
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    }
  });

  it('keep the guidance decays between 1 and the scale', () => {
    for (const d of GUIDANCE_DECAYS) {
      for (const r of [1 / 16, 0.5, 1]) {
        const g = guidanceAt(d, 12, r, 1);
        expect(g).toBeGreaterThanOrEqual(d === 'flippedcosine' ? -4.5 : 1);
        expect(g).toBeLessThanOrEqual(12.0001);
      }
    }
    expect(guidanceAt('cosine', 12, 1, 1)).toBe(12);
    expect(guidanceAt('flippedcosine', 12, 1, 1)).toBe(-4.5);
    expect(guidanceAt('linear', 4, 0.5, 1)).toBe(2.5);
    expect(guidanceAt('none', 3, 0.2, 1)).toBe(3);
    // scale_pow bends the cosine ramp: ratio**2 is smaller, so the scale is lower early on.
    expect(guidanceAt('cosine', 12, 0.5, 2)).toBeLessThan(guidanceAt('cosine', 12, 0.5, 1));
  });

  it('reject unknown modes with the allowed list', async () => {
    await expectMaskgenError(() => maskingRatio(0.5, 'exp'), 'INVALID_ARGUMENT', /arccos, cosine, linear, square, root.*"exp"/);
    await expectMaskgenError(() => guidanceAt('quadratic' as never, 3, 0.5, 1), 'INVALID_ARGUMENT', /cosine, flippedcosine, linear, none.*"quadratic"/);
  });

  it('compute Gumbel noise like −log(−log(clamp(u))) in float32', () => {
    expect(gumbel(Math.exp(-1))).toBeCloseTo(0, 6);
    expect(Number.isFinite(gumbel(0))).toBe(true); // the 1e-20 clamp keeps u = 0 finite
    expect(addGumbel(1.5, 0.5, 0)).toBe(1.5);
    expect(addGumbel(Number.POSITIVE_INFINITY, 0.3, 2)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('schedules against the maskgen_vq golden', () => {
  it('floor(N · mask ratio) lands on the float32 values the reference computed', async () => {
    const c = await openSamplerCase('maskgen_vq');
    const N = c.config.model.vq_model.num_latent_tokens;
    for (const call of c.samples) {
      const steps = call.kwargs.num_sample_steps;
      for (const row of call.mask_len_table) {
        const v = Math.fround(N * maskingRatio((row.step + 1) / steps, 'arccos'));
        expect(v).toBe(row['L*mask_ratio_f32']);
        expect(Math.floor(v)).toBe(row.floor_f32);
      }
    }
  });

  /**
   * Linear and constant scales are bit-exact. The cosine ones may differ by a few float32 ulps: torch
   * evaluates cos with SLEEF's vectorised cosf (≤ 1 ulp, not correctly rounded; e.g. cos(0.19634955)
   * comes out one ulp above the nearest float) and 1 − cos cancels, so that ulp grows ~50× relative.
   * That is ~1e-7 of the scale, far below the forward pass's own float error.
   */
  it('the per-step CFG scale equals the recorded one (cosine: within 4 ulps of float32 cos noise)', async () => {
    const c = await openSamplerCase('maskgen_vq');
    for (const call of c.samples) {
      const k = call.kwargs;
      const decay = k.guidance_decay ?? 'cosine';
      for (let s = 0; s < k.num_sample_steps; s++) {
        const want = toFloat32(await c.trace.read(`${call.name}.step${String(s).padStart(2, '0')}.cfg_scale`))[0];
        const got = Math.fround(guidanceAt(decay, k.guidance_scale, (s + 1) / k.num_sample_steps, k.guidance_decay_scale_pow ?? 1));
        if (decay.endsWith('cosine')) expect(Math.abs(got - want)).toBeLessThanOrEqual(4 * 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23));
        else expect(got).toBe(want);
      }
    }
  });

  it('the aesthetic micro-condition matches the traced sinusoidal encoding', async () => {
    const c = await openSamplerCase('maskgen_vq');
    const scores = toFloat32(await c.io.read('forward.aesthetic_score'));
    const want = await c.trace.read('forward.micro_cond');
    const got = vqMicroCondition(scores, want.dims[1]);
    const ref = toFloat32(want);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThan(2e-6);
  });
});
