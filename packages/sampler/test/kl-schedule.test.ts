import { toFloat32, toNumbers } from '@maskgen/core';
import { expectMaskgenError } from '@maskgen/test-utils';
import { describe, expect, it } from 'vitest';
import { cosineBetas, respacedSchedule, spaceTimesteps } from '../src/kl/gaussian-diffusion.js';
import { timestepFrequencies, torchExpf } from '../src/kl/torch-expf.js';
import { KL_CASES, SCHEDULE_ARRAYS, openSamplerCase } from './goldens.js';

/** numpy.allclose over every element, reporting the worst excess. */
function expectClose(actual: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string) {
  expect(actual.length, what).toBe(want.length);
  let worst = -Infinity;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(actual[i] - want[i]) - (atol + rtol * Math.abs(want[i])));
  expect(worst, what).toBeLessThanOrEqual(0);
}

/** The float64 arrays; the timestep map (integers) and the 1000-step base betas are checked on their own. */
const ARRAYS = Object.entries(SCHEDULE_ARRAYS).filter(([io]) => io !== 'timestep_map' && io !== 'base_betas_1000') as [string, 'betas'][];

describe('respaced cosine diffusion against the golden schedules (float64, rtol 1e-12)', () => {
  for (const name of KL_CASES) {
    it(`${name}: every array and the timestep map`, async () => {
      const c = await openSamplerCase(name);
      const s = respacedSchedule(String(c.config.losses.num_sampling_steps ?? '100'));
      for (const [io, key] of ARRAYS) expectClose(s[key], await c.f64(`schedule.${io}`), 1e-12, 1e-15, io);
      expectClose(cosineBetas(1000), await c.f64('schedule.base_betas_1000'), 1e-12, 1e-15, 'base_betas_1000');
      expect(Array.from(s.timestepMap)).toEqual(toNumbers(await c.io.read('schedule.timestep_map')));
    });
  }
});

describe('space_timesteps', () => {
  it('strides one section evenly, several sections each, and ddimN by an integer stride', () => {
    expect(spaceTimesteps(1000, '10')).toEqual([0, 111, 222, 333, 444, 555, 666, 777, 888, 999]);
    expect(spaceTimesteps(1000, '100').length).toBe(100);
    expect(spaceTimesteps(1000, '2,3')).toEqual([0, 499, 500, 750, 999]);
    expect(spaceTimesteps(1000, 'ddim4')).toEqual([0, 250, 500, 750]);
  });

  it("rounds exact halves to even like Python's round()", () => {
    // stride (6 − 1) / 2 = 2.5: Python keeps round(2.5) = 2, not 3.
    expect(spaceTimesteps(6, '3')).toEqual([0, 2, 5]);
  });

  it('rejects counts it cannot take, naming the value', async () => {
    for (const bad of ['0', 'x', '2000', '10,abc', 'ddim999'])
      await expectMaskgenError(() => spaceTimesteps(1000, bad), 'INVALID_CONFIG', /num_sampling_steps/);
  });
});

describe("torch's float32 exp (SLEEF expf_u10)", () => {
  it('stays within one ulp of the correctly rounded exp and is exact on easy values', () => {
    expect(torchExpf(0)).toBe(1);
    expect(torchExpf(Math.fround(Math.log(2)))).toBe(Math.fround(Math.exp(Math.fround(Math.log(2)))));
    for (let x = -20; x <= 20; x += 0.0371) {
      const want = Math.fround(Math.exp(Math.fround(x)));
      expect(Math.abs(torchExpf(x) - want) / want).toBeLessThan(2 ** -22);
    }
    expect(torchExpf(-200)).toBe(0);
    expect(torchExpf(200)).toBe(Infinity);
  });

  it('gives the timestep frequencies that reproduce the reference embedding (cos/sin to 1 ulp)', async () => {
    const c = await openSamplerCase('maskgen_kl');
    const t = toNumbers(await c.io.read('mlp.t'));
    const want = toFloat32(await c.trace.read('mlp.timestep_embedding'));
    const freqs = timestepFrequencies(256);
    const got = new Float32Array(want.length);
    t.forEach((tv, r) => {
      freqs.forEach((fq, i) => {
        const a = Math.fround(Math.fround(tv) * fq);
        got[r * 256 + i] = Math.cos(a);
        got[r * 256 + 128 + i] = Math.sin(a);
      });
    });
    // A one-ulp error in a frequency would move cos/sin of t·freq (t up to 999) by up to 6e-5.
    expectClose(got, want, 0, 1.2e-7, 'timestep_embedding');
  });
});
