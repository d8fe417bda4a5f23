import { expectMaskgenError } from '@maskgen/test-utils';
import { describe, expect, it } from 'vitest';
import { GENERATOR_FAMILIES, parseConfigText } from '../src/index.js';

const gen = (mode: string, maskgen: object, extra: object = {}) => ({ model: { vq_model: { quantize_mode: mode }, maskgen }, ...extra });

describe('generator configs: every numeric field has a range, checked before any session is built', () => {
  // One line per hostile value; both families read the same fields.
  const cases: [object, RegExp][] = [
    [{ num_iter: 1e9 }, /model\.maskgen\.num_iter: expected an integer in \[1, 1000\], got 1000000000/],
    [{ num_iter: 2.5 }, /num_iter: expected an integer in \[1, 1000\], got 2\.5/],
    [{ cfg: 1e6 }, /model\.maskgen\.cfg: expected a number in \[0, 100\], got 1000000/],
    [{ cfg: -1 }, /cfg: expected a number in \[0, 100\], got -1/],
    [{ temperature: 1e300 }, /temperature: expected a number in \[0, 100\]/],
    [{ sample_aesthetic_score: 11 }, /sample_aesthetic_score: expected a number in \[0, 10\], got 11/],
    [{ sample_aesthetic_score: 'high' }, /sample_aesthetic_score: expected a number in \[0, 10\], got "high"/],
  ];
  for (const family of GENERATOR_FAMILIES) {
    for (const [mg, re] of cases) {
      it(`${family.name}: ${JSON.stringify(mg)}`, () =>
        expectMaskgenError(() => family.recognise(gen(family.tokenizerMode, mg), 'me/x'), 'INVALID_CONFIG', re));
    }
  }
  it('kl: losses.num_sampling_steps is range-checked (as a number or the YAML string)', async () => {
    const kl = GENERATOR_FAMILIES.find((f) => f.name === 'kl')!;
    await expectMaskgenError(
      () => kl.recognise(gen('vae', {}, { losses: { num_sampling_steps: '100000' } }), 'me/x'),
      'INVALID_CONFIG',
      /losses\.num_sampling_steps: expected an integer in \[1, 1000\]/,
    );
    expect(kl.recognise(gen('vae', {}, { losses: { num_sampling_steps: '50' } }), 'me/x')).toMatchObject({ diffusionSteps: 50 });
  });
  it('a config that is not JSON is named with a line and column, never quoted (it may be any file behind a symlink)', async () => {
    const e = await expectMaskgenError(
      () => parseConfigText('root:x:0:0:secret\nmore', '/tmp/link.json'),
      'INVALID_CONFIG',
      /config "\/tmp\/link.json": not valid JSON( at line 1, column \d+)?$/,
    );
    expect(e.message).not.toMatch(/root|secret/);
    const list = await expectMaskgenError(() => parseConfigText('["secret-value"]', 'c.json'), 'INVALID_CONFIG', /got a list/);
    expect(list.message).not.toMatch(/secret/);
  });
});
