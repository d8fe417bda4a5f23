export { MaskGenVQ, type MaskGenVqCreateOptions } from './vq/maskgen-vq.js';
export { maskGitGenerate, type MaskGitModel, type MaskGitOptions } from './vq/maskgit.js';
export { type MaskGenVqSpec, resolveMaskGenVq } from './vq/vq-config.js';
export { buildMaskGenVqGraph, VQ_IO } from './vq/vq-graph.js';
export { maskingRatio, guidanceAt, MASK_SCHEDULES, GUIDANCE_DECAYS, type MaskSchedule, type GuidanceDecay } from './mask-schedule.js';
export { MaskGenKL, type MaskGenKlCreateOptions } from './kl/maskgen-kl.js';
export { marSample, type MarModel, type MarOptions } from './kl/mar-sampler.js';
export { type MaskGenKlSpec, resolveMaskGenKl } from './kl/kl-config.js';
export { buildKlConditionGraph, buildKlMaeGraph, buildDiffLossGraph, KL_IO } from './kl/kl-graphs.js';
