/**
 * The goldens' sampling kwargs (the reference's Python names) as the samplers' options: one mapping,
 * used by the runner's cases and the samplers' tests.
 */

/** MaskGen_VQ.generate kwargs → MaskGitOptions fields. */
export function maskGitKwargs(k: Record<string, any>) {
  return {
    steps: k.num_sample_steps as number,
    guidanceScale: k.guidance_scale as number,
    guidanceDecay: k.guidance_decay,
    guidanceDecayScalePow: k.guidance_decay_scale_pow as number | undefined,
    randomizeTemperature: k.randomize_temperature as number,
    softmaxTemperatureAnnealing: k.softmax_temperature_annealing as boolean | undefined,
    probSorting: k.prob_sorting as boolean | undefined,
  };
}

/** MaskGen_KL.sample_tokens kwargs → MarOptions fields. */
export function marKwargs(k: Record<string, any>) {
  return {
    numIter: k.num_iter as number,
    cfg: k.cfg as number,
    cfgSchedule: k.cfg_schedule as 'linear' | 'constant',
    temperature: k.temperature as number,
    aestheticScore: k.aes_scores as number,
  };
}

/** The io names of the respaced diffusion schedule arrays → DiffusionSchedule keys. */
export const SCHEDULE_ARRAYS = {
  betas: 'betas',
  alphas_cumprod: 'alphasCumprod',
  alphas_cumprod_prev: 'alphasCumprodPrev',
  sqrt_recip_alphas_cumprod: 'sqrtRecipAlphasCumprod',
  sqrt_recipm1_alphas_cumprod: 'sqrtRecipm1AlphasCumprod',
  posterior_variance: 'posteriorVariance',
  posterior_log_variance_clipped: 'posteriorLogVarianceClipped',
  posterior_mean_coef1: 'posteriorMeanCoef1',
  posterior_mean_coef2: 'posteriorMeanCoef2',
  log_betas: 'logBetas',
  timestep_map: 'timestepMap',
  base_betas_1000: 'baseBetas',
} as const;
