import { GraphBuilder, type OnnxModel, type SafetensorsFile, activation, chunk, layerNorm, layerNormFrom, linearFrom, type GraphOptions } from '@maskgen/core';
import { jointTransformer } from '../mmdit/joint-block.js';
import type { MaskGenKlSpec } from './kl-config.js';
import { timestepFrequencies } from './torch-expf.js';

/** Graph input/output names of the three KL graphs. */
export const KL_IO = {
  condition: 'condition',
  pooled: 'pooled',
  conditionEmbedded: 'condition_embedded',
  pooledEmbedded: 'pooled_embedded',
  tokens: 'tokens',
  mask: 'mask',
  z: 'z',
  x: 'x',
  t: 't',
  c: 'c',
  out: 'out',
} as const;

/** text_emb(condition) and text_pooled_emb([pooled | micro-condition]): once per sampling call. */
export function buildKlConditionGraph(st: SafetensorsFile, spec: MaskGenKlSpec, opts: GraphOptions = {}): OnnxModel {
  const g = new GraphBuilder('maskgen_kl_condition', opts);
  const cond = g.input(KL_IO.condition, 'float32', ['batch', 'text_len', spec.textEmbedDim]);
  const pooled = g.input(KL_IO.pooled, 'float32', ['batch', spec.textEmbedDim + spec.microDim]);
  g.output(linearFrom(g, st, 'text_emb', cond), KL_IO.conditionEmbedded);
  g.output(linearFrom(g, st, 'text_pooled_emb', pooled), KL_IO.pooledEmbedded);
  return g.build();
}

/**
 * forward_mae_decoder: z_proj + z_proj_ln, mask-token substitution where mask = 1, learned positions,
 * the shared MM-DiT joint blocks, AdaLayerNormContinuous, and the diffusion positional embedding.
 */
export function buildKlMaeGraph(st: SafetensorsFile, spec: MaskGenKlSpec, opts: GraphOptions = {}): OnnxModel {
  const g = new GraphBuilder('maskgen_kl_mae', opts);
  const { dim, seqLen: L } = spec;
  const tokens = g.input(KL_IO.tokens, 'float32', ['batch', L, spec.tokenSize]);
  const mask = g.input(KL_IO.mask, 'float32', ['batch', L]);
  const cond = g.input(KL_IO.conditionEmbedded, 'float32', ['batch', 'text_len', dim]);
  const pooled = g.input(KL_IO.pooledEmbedded, 'float32', ['batch', dim]);
  const x = layerNormFrom(g, st, 'z_proj_ln', linearFrom(g, st, 'z_proj', tokens), 1e-6);
  const isMasked = g.op1('Greater', [g.op1('Unsqueeze', [mask, g.i64([2])]), g.f32(0.5)]);
  const substituted = g.op1('Where', [isMasked, g.weight(st, 'mask_token'), x]);
  const h = g.op1('Add', [substituted, g.weight(st, 'decoder_pos_embed_learned')]);
  const out = jointTransformer(g, st, h, cond, pooled, { dim, heads: spec.heads, imageTokens: L }, { blocks: 'decoder_blocks', norm: 'decoder_norm' });
  g.output(g.op1('Add', [out, g.weight(st, 'diffusion_pos_embed_learned')]), KL_IO.z);
  return g.build();
}

/** Sinusoidal timestep features [cos | sin] with max period 10000, as float32 constants × t. */
export function timestepFeatures(g: GraphBuilder, t: string, dim: number): string {
  const half = dim / 2;
  const freqs = Array.from(timestepFrequencies(dim));
  const args = g.op1('Mul', [g.op1('Unsqueeze', [g.op1('Cast', [t], { to: 1 }), g.i64([1])]), g.f32(freqs, [1, half])]);
  return g.op1('Concat', [g.op1('Cos', [args]), g.op1('Sin', [args])], { axis: 1 });
}

/** DiffLoss's SimpleMLPAdaLN: x [N, C], original timesteps t [N], condition c [N, D] → [eps | var] [N, 2C]. */
export function buildDiffLossGraph(st: SafetensorsFile, spec: MaskGenKlSpec, opts: GraphOptions = {}): OnnxModel {
  const g = new GraphBuilder('maskgen_kl_diffloss', opts);
  const p = 'diffloss.net';
  const x0 = g.input(KL_IO.x, 'float32', ['n', spec.tokenSize]);
  const t = g.input(KL_IO.t, 'int64', ['n']);
  const c = g.input(KL_IO.c, 'float32', ['n', spec.dim]);
  const freqDim = st.info(`${p}.time_embed.mlp.0.weight`).dims[1];
  const temb = linearFrom(g, st, `${p}.time_embed.mlp.2`, activation(g, linearFrom(g, st, `${p}.time_embed.mlp.0`, timestepFeatures(g, t, freqDim)), 'silu'));
  const y = g.op1('Add', [temb, linearFrom(g, st, `${p}.cond_embed`, c)]);
  const sy = activation(g, y, 'silu');
  let x = linearFrom(g, st, `${p}.input_proj`, x0);
  for (let i = 0; i < spec.mlpBlocks; i++) {
    const b = `${p}.res_blocks.${i}`;
    const [shift, scale, gate] = chunk(g, linearFrom(g, st, `${b}.adaLN_modulation.1`, sy), 3, 3 * spec.mlpWidth);
    const h = modulate2d(g, layerNormFrom(g, st, `${b}.in_ln`, x, 1e-6, { twoPass: true }), shift, scale);
    const m = linearFrom(g, st, `${b}.mlp.2`, activation(g, linearFrom(g, st, `${b}.mlp.0`, h), 'silu'));
    x = g.op1('Add', [x, g.op1('Mul', [gate, m])]);
  }
  const [shift, scale] = chunk(g, linearFrom(g, st, `${p}.final_layer.adaLN_modulation.1`, sy), 2, 2 * spec.mlpWidth);
  const normed = layerNorm(g, x, null, null, 1e-6, spec.mlpWidth, { twoPass: true });
  g.output(linearFrom(g, st, `${p}.final_layer.linear`, modulate2d(g, normed, shift, scale)), KL_IO.out);
  return g.build();
}

/** x·(1 + scale) + shift on [N, D] rows with per-row vectors (no sequence axis to broadcast over). */
function modulate2d(g: GraphBuilder, x: string, shift: string, scale: string): string {
  return g.op1('Add', [g.op1('Mul', [x, g.op1('Add', [scale, g.f32(1)])]), shift]);
}
