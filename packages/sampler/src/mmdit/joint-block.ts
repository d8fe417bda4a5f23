import {
  type GraphBuilder,
  type SafetensorsFile,
  type Value,
  activation,
  gatedResidual,
  linearFrom,
  modulate,
  scaledDotProductAttention,
  sliceAxis,
} from '@maskgen/core';
import { adaLayerNormContinuous, adaLayerNormZero, plainNorm } from './ada-layer-norm.js';

/** Shape of the joint blocks, from the checkpoint. */
export interface JointSpec {
  dim: number;
  heads: number;
  /** Number of image tokens (the first part of the joint sequence). */
  imageTokens: number;
}

function feedForward(g: GraphBuilder, st: SafetensorsFile, prefix: string, x: Value): Value {
  return linearFrom(g, st, `${prefix}.net.2`, activation(g, linearFrom(g, st, `${prefix}.net.0.proj`, x), 'gelu-tanh'));
}

/**
 * One diffusers JointTransformerBlock (SD3 MM-DiT): adaLN-Zero on both streams, joint attention
 * over [image, text] tokens, GELU-tanh MLPs. A `context_pre_only` block (detected by the missing
 * `to_add_out`) only conditions the image stream and returns no text stream.
 */
export function jointBlock(
  g: GraphBuilder,
  st: SafetensorsFile,
  prefix: string,
  img: Value,
  txt: Value,
  temb: Value,
  spec: JointSpec,
): { img: Value; txt: Value | null } {
  const { dim, heads } = spec;
  const preOnly = !st.has(`${prefix}.attn.to_add_out.weight`);
  const n1 = adaLayerNormZero(g, st, `${prefix}.norm1`, img, temb, dim);
  const n1c = preOnly ? null : adaLayerNormZero(g, st, `${prefix}.norm1_context`, txt, temb, dim);
  const ctxIn = n1c ? n1c.x : adaLayerNormContinuous(g, st, `${prefix}.norm1_context`, txt, temb, dim);
  const a = `${prefix}.attn`;
  const cat = (x: string, c: string) => g.op1('Concat', [linearFrom(g, st, `${a}.${x}`, n1.x), linearFrom(g, st, `${a}.${c}`, ctxIn)], { axis: 1 });
  const joint = scaledDotProductAttention(g, cat('to_q', 'add_q_proj'), cat('to_k', 'add_k_proj'), cat('to_v', 'add_v_proj'), { heads, headDim: dim / heads });
  const imgAttn = linearFrom(g, st, `${a}.to_out.0`, sliceAxis(g, joint, 1, 0, spec.imageTokens));
  let h = gatedResidual(g, img, n1.gateMsa, imgAttn);
  h = gatedResidual(g, h, n1.gateMlp, feedForward(g, st, `${prefix}.ff`, modulate(g, plainNorm(g, h, dim), n1.shiftMlp, n1.scaleMlp)));
  if (!n1c) return { img: h, txt: null };
  const txtAttn = linearFrom(g, st, `${a}.to_add_out`, sliceAxis(g, joint, 1, spec.imageTokens, 2 ** 31 - 1));
  let c = gatedResidual(g, txt, n1c.gateMsa, txtAttn);
  c = gatedResidual(g, c, n1c.gateMlp, feedForward(g, st, `${prefix}.ff_context`, modulate(g, plainNorm(g, c, dim), n1c.shiftMlp, n1c.scaleMlp)));
  return { img: h, txt: c };
}

/** Counts `${prefix}.${i}.norm1.linear.weight` entries: the depth comes from the checkpoint. */
export function countJointBlocks(st: SafetensorsFile, prefix: string): number {
  let n = 0;
  while (st.has(`${prefix}.${n}.norm1.linear.weight`)) n++;
  return n;
}

/** The stack of joint blocks followed by the final AdaLayerNormContinuous (`norm`), image stream out. */
export function jointTransformer(
  g: GraphBuilder,
  st: SafetensorsFile,
  img: Value,
  txt: Value,
  temb: Value,
  spec: JointSpec,
  prefixes = { blocks: 'blocks', norm: 'norm' },
): Value {
  const depth = countJointBlocks(st, prefixes.blocks);
  let x = img;
  let c: Value | null = txt;
  for (let i = 0; i < depth; i++) {
    if (!c) break;
    const out = jointBlock(g, st, `${prefixes.blocks}.${i}`, x, c, temb, spec);
    x = out.img;
    c = out.txt;
  }
  return adaLayerNormContinuous(g, st, prefixes.norm, x, temb, spec.dim);
}
