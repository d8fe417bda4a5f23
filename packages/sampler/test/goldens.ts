import type { Tensor } from '@maskgen/core';
import { type DrawRecord, openGoldenCase } from '../../../tooling/golden/src/case-folder.js';

export { maskGitKwargs, marKwargs, SCHEDULE_ARRAYS } from '../../../tooling/golden/src/sampling-kwargs.js';

/** The two MaskGen-KL golden cases: 10 and the default 100 diffusion steps. */
export const KL_CASES = ['maskgen_kl', 'maskgen_kl_steps100'] as const;

/** One recorded sampling call (`generate` / `sample_tokens`): its kwargs and draws. */
export interface SampleCall {
  name: string;
  bsz: number;
  kwargs: Record<string, any>;
  draws: DrawRecord[];
  returns: string[];
  mask_len_table: { step: number; 'L*mask_ratio_f32': number; floor_f32: number }[];
}

/** A sampler golden case through the golden runner's reader, with its trace open and its sampling calls listed. */
export async function openSamplerCase(name: 'maskgen_vq' | (typeof KL_CASES)[number]) {
  const c = await openGoldenCase(name);
  const samples = c.caseJson.calls.filter((x: { draws?: unknown }) => x.draws) as SampleCall[];
  return { ...c, weights: c.weights!, config: c.config!, trace: await c.trace(), samples };
}

/** The CLIP encodings a VQ `generate` call was fed, as the reference traced them. */
export async function tracedConditions(c: Awaited<ReturnType<typeof openSamplerCase>>, call: SampleCall) {
  const t = async (k: string) => (await c.trace.read(`${call.name}.${k}`)) as Tensor<'float32'>;
  return {
    condition: await t('condition'),
    pooled: await t('condition_pooled'),
    uncondCondition: await t('none_cond'),
    uncondPooled: await t('none_cond_pooled'),
  };
}
