import { MaskgenError, type Tensor, configNumber, quote } from '@maskgen/core';
import { MaskGenKL, buildDiffLossGraph, buildKlConditionGraph, buildKlMaeGraph, resolveMaskGenKl } from '@maskgen/sampler';
import { maskgenSection, num, obj } from './config-fields.js';
import type { FamilyGenerator, GeneratorDefaults, GeneratorFamily } from './family.js';

/** Sampling defaults of a KL generator, from the reference's inference configs. */
export interface KlDefaults extends GeneratorDefaults {
  family: 'kl';
  guidanceSchedule: 'linear' | 'constant';
  temperature: number;
  diffusionSteps: number;
}

/** What a KL edit starts from: the image's posterior means [1, C, 1, L] and which of them to keep. */
interface KlStart {
  latents: Tensor<'float32'>;
  keep: Uint8Array;
}

/** `losses.num_sampling_steps` (a number, or a string as the reference's YAML writes it), range-checked. */
function diffusionSteps(losses: Record<string, unknown> | undefined, where: string): number {
  const raw = losses?.num_sampling_steps;
  const v = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  return v === undefined
    ? DEFAULTS.diffusionSteps
    : configNumber({ num_sampling_steps: v }, 'num_sampling_steps', where.replace(/ model\.maskgen$/, ' losses'));
}

const DEFAULTS: KlDefaults = {
  family: 'kl',
  guidanceScale: 3,
  guidanceSchedule: 'linear',
  steps: 32,
  temperature: 1,
  aestheticScore: 6.5,
  diffusionSteps: 100,
};

/**
 * MaskGen-KL: continuous TA-TiTok latents sampled by MAR with a diffusion head; editing keeps the
 * image's latents (posterior means) at the kept positions and generates the others in MAR order.
 */
export const klFamily: GeneratorFamily<KlDefaults> = {
  name: 'kl',
  title: 'MaskGen-KL',
  tokenizerMode: 'vae',
  defaults: DEFAULTS,
  edits: true,
  recognise(config, where) {
    const mg = maskgenSection(config, 'vae');
    if (!mg) return undefined;
    where = `${where} model.maskgen`;
    return {
      family: 'kl',
      guidanceScale: num(mg, 'cfg', DEFAULTS.guidanceScale, where),
      guidanceSchedule: mg.cfg_schedule === 'constant' ? 'constant' : 'linear',
      steps: num(mg, 'num_iter', DEFAULTS.steps, where),
      temperature: num(mg, 'temperature', DEFAULTS.temperature, where),
      aestheticScore: num(mg, 'sample_aesthetic_score', DEFAULTS.aestheticScore, where),
      diffusionSteps: diffusionSteps(obj(config.losses), where),
    };
  },
  async create(o, d): Promise<FamilyGenerator<KlStart>> {
    const gen = await MaskGenKL.create(o);
    const L = gen.spec.seqLen;
    return {
      numTokens: L,
      prelude: { steps: d.steps, guidance: d.guidanceScale, temperature: d.temperature, aestheticScore: d.aestheticScore },
      async sample(r) {
        const aestheticScore = r.aestheticScore ?? d.aestheticScore;
        const tokens = await gen.sample({
          condition: r.enc.penultimate,
          pooled: r.enc.pooled,
          uncondCondition: r.empty.penultimate,
          uncondPooled: r.empty.pooled,
          rng: r.rng,
          numIter: r.steps,
          cfg: r.guidance,
          cfgSchedule: d.guidanceSchedule,
          temperature: r.temperature,
          aestheticScore,
          initial: r.start,
          signal: r.signal,
          onStep: (step, total, latents) => r.onStep(step, total, latents, latents),
        });
        return {
          tokens,
          settings: { steps: r.steps, guidance: r.guidance, temperature: r.temperature, aestheticScore, diffusionSteps: gen.spec.samplingSteps },
        };
      },
      editStart(enc, keep) {
        if (enc.mode !== 'vae')
          throw new MaskgenError('INVALID_ARGUMENT', `edit: the tokenizer makes ${quote(enc.mode)} tokens, MaskGen-KL needs "vae" latents`);
        return { latents: enc.mean, keep: Uint8Array.from({ length: L }, (_, i) => (keep.has(i) ? 1 : 0)) };
      },
      dispose: () => gen.dispose(),
    };
  },
  graphs(weights, config, opts) {
    const spec = resolveMaskGenKl(config, weights);
    return [buildKlConditionGraph(weights, spec, opts), buildKlMaeGraph(weights, spec, opts), buildDiffLossGraph(weights, spec, opts)];
  },
};
