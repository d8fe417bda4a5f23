export { MaskGenVQ, type MaskGenVqCreateOptions, concatBatch } from './vq/maskgen-vq.js';
export type { MaskGitOptions } from './vq/maskgit.js';
export { type MaskGenVqSpec, resolveMaskGenVq } from './vq/vq-config.js';
export { buildMaskGenVqGraph, VQ_IO } from './vq/vq-graph.js';
export { jointBlock, jointTransformer, countJointBlocks, type JointSpec } from './mmdit/joint-block.js';
export { adaLayerNormZero, adaLayerNormContinuous, plainNorm, MMDIT_EPS } from './mmdit/ada-layer-norm.js';
export { maskingRatio, guidanceAt, MASK_SCHEDULES, GUIDANCE_DECAYS, type MaskSchedule, type GuidanceDecay } from './mask-schedule.js';
export { gumbel, addGumbel } from './gumbel.js';
export { vqMicroCondition } from './micro-condition.js';
