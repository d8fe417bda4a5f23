import { MaskgenError, type Tensor, quote, tensor } from '@maskgen/core';
import { MaskGenVQ, buildMaskGenVqGraph, resolveMaskGenVq } from '@maskgen/sampler';
import { maskgenSection, num } from './config-fields.js';
import type { FamilyGenerator, GeneratorDefaults, GeneratorFamily } from './family.js';

/** Sampling defaults of a VQ generator, from the reference's inference configs. */
export interface VqDefaults extends GeneratorDefaults {
  family: 'vq';
  randomizeTemperature: number;
}

const DEFAULTS: VqDefaults = { family: 'vq', guidanceScale: 12, steps: 16, randomizeTemperature: 2, aestheticScore: 6.5 };

/** MaskGen-VQ: discrete TA-TiTok ids sampled by MaskGIT; editing starts from ids with the mask id where tokens are regenerated. */
export const vqFamily: GeneratorFamily<VqDefaults> = {
  name: 'vq',
  title: 'MaskGen-VQ',
  tokenizerMode: 'vq',
  defaults: DEFAULTS,
  edits: true,
  recognise(config, where) {
    const mg = maskgenSection(config, 'vq');
    if (!mg) return undefined;
    where = `${where} model.maskgen`;
    return {
      family: 'vq',
      guidanceScale: num(mg, 'cfg', DEFAULTS.guidanceScale, where),
      steps: num(mg, 'num_iter', DEFAULTS.steps, where),
      randomizeTemperature: num(mg, 'temperature', DEFAULTS.randomizeTemperature, where),
      aestheticScore: num(mg, 'sample_aesthetic_score', DEFAULTS.aestheticScore, where),
    };
  },
  async create(o, d): Promise<FamilyGenerator<Tensor>> {
    const gen = await MaskGenVQ.create(o);
    const { numTokens: N, codebookSize: V } = gen.spec;
    return {
      numTokens: N,
      prelude: { steps: d.steps, guidance: d.guidanceScale, temperature: d.randomizeTemperature },
      async sample(r) {
        const ids = await gen.generate({
          condition: r.enc.penultimate,
          pooled: r.enc.pooled,
          uncondCondition: r.empty.penultimate,
          uncondPooled: r.empty.pooled,
          rng: r.rng,
          steps: r.steps,
          guidanceScale: r.guidance,
          randomizeTemperature: r.temperature,
          aestheticScore: r.aestheticScore,
          initialIds: r.start,
          signal: r.signal,
          onStep: r.onStep,
        });
        const settings = {
          steps: r.steps,
          guidance: r.guidance,
          temperature: r.temperature,
          aestheticScore: r.aestheticScore ?? gen.spec.configAestheticScore,
        };
        return { tokens: ids, settings };
      },
      editStart(enc, keep) {
        if (enc.mode !== 'vq') throw new MaskgenError('INVALID_ARGUMENT', `edit: the tokenizer makes ${quote(enc.mode)} tokens, MaskGen-VQ needs "vq" ids`);
        return tensor(
          'int64',
          [1, N],
          Array.from(enc.indices.data, (v, i) => (keep.has(i) ? Number(v) : V)),
        );
      },
      dispose: () => gen.dispose(),
    };
  },
  graphs: (weights, config, opts) => [buildMaskGenVqGraph(weights, resolveMaskGenVq(config, weights), opts)],
};
