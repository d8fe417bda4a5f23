import { MaskgenError, type SafetensorsFile, configNumber, quote } from '@maskgen/core';
import { countJointBlocks } from '../mmdit/joint-block.js';

/** MaskGen-KL's shapes and sampling settings, from config.json and the weights. */
export interface MaskGenKlSpec {
  dim: number;
  heads: number;
  depth: number;
  seqLen: number;
  tokenSize: number;
  textEmbedDim: number;
  microDim: number;
  scaleFactor: number;
  mlpWidth: number;
  mlpBlocks: number;
  /** `losses.num_sampling_steps` (the respacing of the 1000-step cosine schedule). */
  samplingSteps: string;
  defaults: { cfg: number; cfgSchedule: 'linear' | 'constant'; numIter: number; temperature: number; aestheticScore: number };
}

type Json = Record<string, unknown>;
const obj = (v: unknown, where: string): Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MaskgenError('INVALID_CONFIG', `config ${where}: expected an object, got ${quote(v)}`);
  return v as Json;
};
const num = (s: Json, k: string, where: string, fallback?: number): number => configNumber(s, k, where, fallback);

/** Resolves the KL generator's spec, cross-checking config against tensor shapes. */
export function resolveMaskGenKl(config: unknown, st: SafetensorsFile): MaskGenKlSpec {
  const root = obj(config, '(root)');
  const model = obj(root.model, 'model');
  const vq = obj(model.vq_model, 'model.vq_model');
  const mg = obj(model.maskgen, 'model.maskgen');
  const losses = root.losses === undefined ? {} : obj(root.losses, 'losses');
  const pos = st.info('decoder_pos_embed_learned').dims;
  const dim = pos[2];
  const heads = num(mg, 'decoder_num_heads', 'model.maskgen');
  if (!Number.isInteger(heads) || heads <= 0 || dim % heads)
    throw new MaskgenError('INVALID_CONFIG', `model.maskgen.decoder_num_heads ${quote(heads)} does not divide the width ${dim}`);
  const tokenSize = st.info('z_proj.weight').dims[1];
  if (num(vq, 'token_size', 'model.vq_model') !== tokenSize)
    throw new MaskgenError('SHAPE_MISMATCH', `z_proj.weight takes ${tokenSize} channels but model.vq_model.token_size is ${quote(vq.token_size)}`);
  let mlpBlocks = 0;
  while (st.has(`diffloss.net.res_blocks.${mlpBlocks}.in_ln.weight`)) mlpBlocks++;
  const textEmbedDim = st.info('text_emb.weight').dims[1];
  const schedule = mg.cfg_schedule ?? 'linear';
  if (schedule !== 'linear' && schedule !== 'constant')
    throw new MaskgenError('INVALID_CONFIG', `config model.maskgen.cfg_schedule: expected "linear" or "constant", got ${quote(schedule)}`);
  return {
    dim,
    heads,
    depth: countJointBlocks(st, 'decoder_blocks'),
    seqLen: pos[1],
    tokenSize,
    textEmbedDim,
    microDim: st.info('text_pooled_emb.weight').dims[1] - textEmbedDim,
    scaleFactor: num(vq, 'scale_factor', 'model.vq_model'),
    mlpWidth: st.info('diffloss.net.input_proj.weight').dims[0],
    mlpBlocks,
    samplingSteps: String(losses.num_sampling_steps ?? '100'),
    defaults: {
      cfg: num(mg, 'cfg', 'model.maskgen', 3),
      cfgSchedule: schedule,
      numIter: num(mg, 'num_iter', 'model.maskgen', 32),
      temperature: num(mg, 'temperature', 'model.maskgen', 1),
      aestheticScore: num(mg, 'sample_aesthetic_score', 'model.maskgen', 6.5),
    },
  };
}

/** The KL micro-condition: interleaved [sin, cos, …] of score·100 with wavelengths 10000^(−2i/d), in float32. */
export function klMicroCondition(scores: ArrayLike<number>, dim: number): Float32Array {
  const f = Math.fround;
  const half = Math.floor(dim / 2);
  const wl = Array.from({ length: half }, (_, i) => f(Math.pow(10000, f(-(2 * i) / dim))));
  const out = new Float32Array(scores.length * dim);
  for (let b = 0; b < scores.length; b++) {
    const x = f(f(scores[b]) * 100);
    for (let i = 0; i < half; i++) {
      const a = f(x * wl[i]);
      out[b * dim + 2 * i] = Math.sin(a);
      out[b * dim + 2 * i + 1] = Math.cos(a);
    }
  }
  return out;
}
