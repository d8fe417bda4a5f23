import { planPromptItems } from '@maskgen/pipeline';
import { describe, expect, it } from 'vitest';
import { type ImageJobData, checkJobData, imageJobId, specMismatch } from '../src/image-job.js';
import { checkRedisUrl, reconnectDelay } from '../src/connection.js';

const [item] = planPromptItems([{ index: 1, line: 1, prompt: 'a fox' }], 7);
const base: ImageJobData = {
  item,
  models: { generator: 'turkeyju/generator_maskgen_vq_xl@main', tokenizer: '', textEncoder: '', precision: 'float32' },
  settings: { steps: 4 },
};

describe('imageJobId: a content hash, so the same item is one job however often it is queued', () => {
  it('is stable across key order and undefined settings, and not a plain integer (BullMQ rejects those)', () => {
    const id = imageJobId(base);
    expect(id).toMatch(/^img-[0-9a-f]{40}$/);
    const reordered = {
      settings: { guidance: undefined, steps: 4 },
      models: { precision: 'float32', textEncoder: '', tokenizer: '', generator: base.models.generator },
      item: { ...item },
    } as ImageJobData;
    expect(imageJobId(reordered)).toBe(id);
  });

  it('changes with the prompt, seed, output name, every model field and every sampling setting', () => {
    const variants: ImageJobData[] = [
      { ...base, item: { ...item, prompt: 'a fox.' } },
      { ...base, item: { ...item, seed: item.seed + 1 } },
      { ...base, item: { ...item, file: '0001-a-fox-0.png' } },
      { ...base, models: { ...base.models, generator: 'turkeyju/generator_maskgen_vq_xl@0123456789abcdef0123456789abcdef01234567' } },
      { ...base, models: { ...base.models, tokenizer: 'turkeyju/tokenizer_tatitok_bl128_vq@main' } },
      { ...base, models: { ...base.models, textEncoder: 'local:/models/clip' } },
      { ...base, models: { ...base.models, precision: 'int8' } },
      { ...base, settings: { steps: 5 } },
      { ...base, settings: { steps: 4, guidance: 3 } },
      { ...base, settings: { steps: 4, temperature: 1 } },
      { ...base, settings: { steps: 4, aestheticScore: 6 } },
    ];
    const ids = new Set([imageJobId(base), ...variants.map(imageJobId)]);
    expect(ids.size).toBe(variants.length + 1);
  });
});

describe('job data read back from Redis is checked before use', () => {
  it('accepts a producer job; rejects paths, non-PNG names, bad seeds and foreign shapes', () => {
    expect(checkJobData(base, 'j')).toEqual(base);
    for (const bad of [
      undefined,
      { foo: 1 },
      { ...base, item: { ...item, file: '../escape.png' } },
      { ...base, item: { ...item, file: 'a/b.png' } },
      { ...base, item: { ...item, file: '.hidden.png' } },
      { ...base, item: { ...item, file: 'x.sh' } },
      { ...base, item: { ...item, seed: 1.5 } },
      { ...base, item: { ...item, prompt: 42 } },
      { ...base, models: undefined },
    ]) {
      expect(() => checkJobData(bad, 'j')).toThrow(/job j: not a maskgen image job/);
    }
  });

  it('names each model field that differs', () => {
    expect(specMismatch(base.models, base.models)).toEqual([]);
    expect(specMismatch(base.models, { ...base.models, precision: 'int8' })).toEqual(['precision: job wants "float32", this worker loaded "int8"']);
    expect(specMismatch(base.models, { ...base.models, config: '/c.yaml#sha256=ab' })).toEqual([
      'config: job wants none, this worker loaded "/c.yaml#sha256=ab"',
    ]);
  });
});

describe('connection settings', () => {
  it('checks --queue URLs and backs off reconnects exponentially up to 5 s', () => {
    expect(checkRedisUrl('redis://h:6379/2').hostname).toBe('h');
    expect(() => checkRedisUrl('localhost:6379')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => checkRedisUrl('redis://h:6379/x')).toThrow(/database number/);
    expect(() => checkRedisUrl('::')).toThrow(/expected a Redis URL/);
    expect([1, 2, 3, 4, 7, 100].map(reconnectDelay)).toEqual([100, 200, 400, 800, 5000, 5000]);
  });
});
