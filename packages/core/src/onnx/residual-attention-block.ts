import { activation, chunk, type Activation, layerNorm, linear } from './blocks.js';
import { scaledDotProductAttention } from './attention.js';
import type { GraphBuilder, Value } from './graph-builder.js';

/** A linear layer's already-resolved weight [out, in] and optional bias. */
export interface LinearParams {
  weight: Value;
  bias?: Value | null;
}

/** A LayerNorm's affine parameters (null for elementwise_affine=False). */
export interface NormParams {
  weight: Value | null;
  bias: Value | null;
}

/** The projections of one pre-LN transformer block, already resolved to graph values. */
export interface ResidualAttentionBlockParams {
  ln1: NormParams;
  /**
   * Query/key/value projections: packed [3D, D] as `nn.MultiheadAttention.in_proj_weight` stores
   * them (open_clip, TA-TiTok), or three separate layers (Hugging Face CLIP).
   */
  qkv: LinearParams | { q: LinearParams; k: LinearParams; v: LinearParams };
  out: LinearParams;
  ln2: NormParams;
  fc1: LinearParams;
  fc2: LinearParams;
}

/** Shape and numerics of a block; `dim` is needed only when a LayerNorm has no weight. */
export interface ResidualAttentionBlockOptions {
  heads: number;
  headDim: number;
  eps: number;
  activation: Activation;
  mask?: Value | null;
  dim?: number;
}

/**
 * The pre-LN block shared by CLIP's text tower and TA-TiTok (open_clip's ResidualAttentionBlock,
 * HF's CLIPEncoderLayer): x + attn(ln_1(x)), then x + mlp(ln_2(x)), on [B, L, D]. Callers resolve
 * their checkpoint's names (and dtype casts) into values, so one graph serves every key layout.
 */
export function residualAttentionBlock(g: GraphBuilder, x: Value, p: ResidualAttentionBlockParams, opts: ResidualAttentionBlockOptions): Value {
  const h = layerNorm(g, x, p.ln1.weight, p.ln1.bias, opts.eps, opts.dim);
  let q: Value;
  let k: Value;
  let v: Value;
  if ('q' in p.qkv) {
    q = linear(g, h, p.qkv.q.weight, p.qkv.q.bias);
    k = linear(g, h, p.qkv.k.weight, p.qkv.k.bias);
    v = linear(g, h, p.qkv.v.weight, p.qkv.v.bias);
  } else {
    [q, k, v] = chunk(g, linear(g, h, p.qkv.weight, p.qkv.bias), 3, 3 * opts.heads * opts.headDim);
  }
  const attn = scaledDotProductAttention(g, q, k, v, { heads: opts.heads, headDim: opts.headDim, mask: opts.mask });
  const y = g.op1('Add', [x, linear(g, attn, p.out.weight, p.out.bias)]);
  const m = layerNorm(g, y, p.ln2.weight, p.ln2.bias, opts.eps, opts.dim);
  const mlp = linear(g, activation(g, linear(g, m, p.fc1.weight, p.fc1.bias), opts.activation), p.fc2.weight, p.fc2.bias);
  return g.op1('Add', [y, mlp]);
}
