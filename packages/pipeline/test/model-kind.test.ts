import { isMaskgenError } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { GENERATOR_FAMILIES, MODEL_ZOO, describeModel, generatorFamily, requireZooEntry } from '../src/index.js';

const gen = (mode: string, tokens: number, extra: object = {}) => ({
  model: { vq_model: { quantize_mode: mode, num_latent_tokens: tokens }, maskgen: { cfg: 9, num_iter: 12, ...extra } },
});

describe('model zoo and config-based model kinds', () => {
  it('lists the six tokenizers, four generators and CLIP, with the released pairing', () => {
    expect(MODEL_ZOO.filter((e) => e.kind === 'tokenizer')).toHaveLength(6);
    expect(MODEL_ZOO.filter((e) => e.kind === 'generator')).toHaveLength(4);
    const vq = requireZooEntry('turkeyju/generator_maskgen_vq_xl');
    const kl = requireZooEntry('turkeyju/generator_maskgen_kl_l');
    expect(vq.kind === 'generator' && vq.tokenizer).toBe('turkeyju/tokenizer_tatitok_bl128_vq');
    expect(kl.kind === 'generator' && kl.tokenizer).toBe('turkeyju/tokenizer_tatitok_bl32_vae');
  });

  it('names the known models when an id is unknown', () => {
    const e = (() => {
      try {
        requireZooEntry('turkeyju/nope', 'generator');
      } catch (x) {
        return x;
      }
    })();
    expect(isMaskgenError(e, 'UNKNOWN_MODEL')).toBe(true);
    expect(String((e as Error).message)).toMatch(/generator_maskgen_vq_xl/);
  });

  it('classifies unknown ids from their config and takes sampling settings from it', () => {
    const d = describeModel('me/my-vq', gen('vq', 128));
    expect(d).toMatchObject({ kind: 'generator', tokenizer: 'turkeyju/tokenizer_tatitok_bl128_vq', defaults: { family: 'vq', guidanceScale: 9, steps: 12 } });
    expect(describeModel('me/my-kl', gen('vae', 32, { cfg_schedule: 'constant' }))).toMatchObject({ defaults: { family: 'kl', guidanceSchedule: 'constant' } });
    expect(describeModel('me/tok', { model: { vq_model: { quantize_mode: 'vae', num_latent_tokens: 64 } } })).toMatchObject({
      kind: 'tokenizer',
      mode: 'vae',
      tokens: 64,
    });
    expect(describeModel('me/clip', { text_config: {} })).toMatchObject({ kind: 'text-encoder' });
    expect(describeModel('me/my-vq', gen('vq', 7), { tokenizer: 'me/tok' })).toMatchObject({ tokenizer: 'me/tok' });
  });

  it('rejects configs that say nothing usable, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [[1], /expected a JSON object/],
      [{ model: { vq_model: { quantize_mode: 'pq' }, maskgen: {} } }, /quantize_mode: expected "vq" or "vae", got "pq"/],
      [gen('vq', 128, { cfg: 'high' }), /model\.maskgen\.cfg: expected a number in \[0, 100\], got "high"/],
      [gen('vq', 7), /no released TA-TiTok tokenizer matches/],
      [{ hello: 1 }, /does not describe a MaskGen generator/],
    ];
    for (const [config, re] of cases) expect(() => describeModel('me/x', config)).toThrow(re);
  });
});

describe('generator family registry', () => {
  it('each family recognises only its own configs, and the zoo and describeModel take their defaults from it', () => {
    for (const family of GENERATOR_FAMILIES) {
      const mine = gen(family.tokenizerMode, 32);
      expect(family.recognise(mine, 'me/x')).toMatchObject({ family: family.name, guidanceScale: 9, steps: 12 });
      for (const other of GENERATOR_FAMILIES.filter((f) => f !== family)) expect(other.recognise(mine, 'me/x')).toBeUndefined();
      expect(family.recognise({ model: { vq_model: { quantize_mode: family.tokenizerMode } } }, 'me/x')).toBeUndefined();
      const zoo = MODEL_ZOO.filter((e) => e.kind === 'generator' && e.defaults.family === family.name);
      expect(zoo.length).toBeGreaterThan(0);
      for (const e of zoo) expect(e.kind === 'generator' && e.defaults).toBe(family.defaults);
      expect(generatorFamily(family.name)).toBe(family);
    }
    expect(GENERATOR_FAMILIES.map((f) => f.name)).toEqual(['vq', 'kl']);
    expect(() => generatorFamily('ar')).toThrow(/generator family "ar" is not registered; known: vq, kl/);
  });
});
