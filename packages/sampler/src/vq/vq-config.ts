import { CONFIG_RANGES, MaskgenError, type SafetensorsFile, configNumber, quote } from '@maskgen/core';

/** MaskGen-VQ's shape and sampling defaults, from config.json and the weights. */
export interface MaskGenVqSpec {
  dim: number;
  heads: number;
  depth: number;
  numTokens: number;
  codebookSize: number;
  textEmbedDim: number;
  microCondition: boolean;
  microDim: number;
  /** The aesthetic score the reference's generate() actually uses (config's, whatever is passed). */
  configAestheticScore: number;
  maskSchedule: string;
  lmHead: 'tied' | 'linear';
}

type Json = Record<string, unknown>;
const obj = (v: unknown, where: string): Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MaskgenError('INVALID_CONFIG', `config ${where}: expected an object, got ${quote(v)}`);
  return v as Json;
};
const posInt = (s: Json, k: string, where: string): number => configNumber(s, k, where, undefined, CONFIG_RANGES[k] ?? { min: 1, max: 2 ** 31, integer: true });

/** Resolves and cross-checks the VQ generator's config against its weights. */
export function resolveMaskGenVq(config: unknown, st: SafetensorsFile): MaskGenVqSpec {
  const model = obj(obj(config, '(root)').model, 'model');
  const vq = obj(model.vq_model, 'model.vq_model');
  const mg = obj(model.maskgen, 'model.maskgen');
  const dim = st.info('pos_embed').dims[2];
  const heads = posInt(mg, 'decoder_num_heads', 'model.maskgen');
  if (dim % heads) throw new MaskgenError('INVALID_CONFIG', `model.maskgen.decoder_num_heads ${heads} does not divide the width ${dim}`);
  const codebookSize = posInt(vq, 'codebook_size', 'model.vq_model');
  const emb = st.info('embeddings.weight').dims;
  if (emb[0] < codebookSize + 1 || emb[1] !== dim) {
    throw new MaskgenError('SHAPE_MISMATCH', `embeddings.weight has shape ${quote(emb)}, expected at least [${codebookSize + 1}, ${dim}]`);
  }
  const micro = mg.micro_condition !== false;
  const aes = configNumber(mg, 'sample_aesthetic_score', 'model.maskgen', 6.0);
  return {
    dim,
    heads,
    depth: posInt(mg, 'decoder_depth', 'model.maskgen'),
    numTokens: st.info('pos_embed').dims[1],
    codebookSize,
    textEmbedDim: st.info('text_embed_proj.weight').dims[1],
    microCondition: micro,
    microDim: micro ? posInt(mg, 'micro_condition_embed_dim', 'model.maskgen') : 0,
    configAestheticScore: aes,
    maskSchedule: typeof mg.mask_schedule_strategy === 'string' ? mg.mask_schedule_strategy : 'arccos',
    lmHead: st.has('lm_head.bias') ? 'linear' : 'tied',
  };
}
