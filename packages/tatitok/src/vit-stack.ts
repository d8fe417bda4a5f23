import { type GraphBuilder, type SafetensorsFile, type Value, layerNormFrom, residualAttentionBlock } from '@maskgen/core';
import type { VitSpec } from './tatitok-config.js';

/** LayerNorm epsilon of the reference's nn.LayerNorm defaults. */
export const LN_EPS = 1e-5;

/** ln_pre → the pre-LN transformer blocks (nn.MultiheadAttention packed in_proj, exact GELU). */
export function vitStack(g: GraphBuilder, st: SafetensorsFile, prefix: string, x: Value, spec: VitSpec): Value {
  let h = layerNormFrom(g, st, `${prefix}.ln_pre`, x, LN_EPS);
  const w = (name: string) => g.weight(st, name);
  for (let i = 0; i < spec.layers; i++) {
    const b = `${prefix}.transformer.${i}`;
    h = residualAttentionBlock(
      g,
      h,
      {
        ln1: { weight: w(`${b}.ln_1.weight`), bias: w(`${b}.ln_1.bias`) },
        qkv: { weight: w(`${b}.attn.in_proj_weight`), bias: w(`${b}.attn.in_proj_bias`) },
        out: { weight: w(`${b}.attn.out_proj.weight`), bias: w(`${b}.attn.out_proj.bias`) },
        ln2: { weight: w(`${b}.ln_2.weight`), bias: w(`${b}.ln_2.bias`) },
        fc1: { weight: w(`${b}.mlp.c_fc.weight`), bias: w(`${b}.mlp.c_fc.bias`) },
        fc2: { weight: w(`${b}.mlp.c_proj.weight`), bias: w(`${b}.mlp.c_proj.bias`) },
      },
      { heads: spec.heads, headDim: spec.width / spec.heads, eps: LN_EPS, activation: 'gelu' },
    );
  }
  return h;
}

/** L2-normalises the last axis like torch.nn.functional.normalize (eps 1e-12). */
export function l2Normalize(g: GraphBuilder, x: Value): Value {
  const norm = g.op1('Sqrt', [g.op1('ReduceSumSquare', [x, g.i64([-1])], { keepdims: 1 })]);
  // Clip with only a minimum = max(norm, eps); unlike Max it has a WebGPU kernel (no CPU round trip).
  return g.op1('Div', [x, g.op1('Clip', [norm, g.f32(1e-12)])]);
}
