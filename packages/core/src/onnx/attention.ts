import type { GraphBuilder, Value } from './graph-builder.js';

/**
 * Scaled dot-product attention over [B, L, D] projections split into `heads`. Written once and used
 * by every model (CLIP, TA-TiTok, MM-DiT joint attention), with an optional additive mask [L, L].
 */
export function scaledDotProductAttention(g: GraphBuilder, q: Value, k: Value, v: Value, opts: { heads: number; headDim: number; mask?: Value | null }): Value {
  const { heads, headDim } = opts;
  const split = g.i64([0, 0, heads, headDim]);
  const toHeads = (x: Value) => g.op1('Transpose', [g.op1('Reshape', [x, split])], { perm: [0, 2, 1, 3] });
  const qh = g.op1('Mul', [toHeads(q), g.f32(1 / Math.sqrt(headDim))]);
  const kt = g.op1('Transpose', [g.op1('Reshape', [k, split])], { perm: [0, 2, 3, 1] });
  let scores = g.op1('MatMul', [qh, kt]);
  if (opts.mask) scores = g.op1('Add', [scores, opts.mask]);
  const probs = g.op1('Softmax', [scores], { axis: -1 });
  const out = g.op1('MatMul', [probs, toHeads(v)]);
  return g.op1('Reshape', [g.op1('Transpose', [out], { perm: [0, 2, 1, 3] }), g.i64([0, 0, heads * headDim])]);
}

/** Causal additive mask [L, L] (0 on and below the diagonal, -inf above), as CLIP's text tower uses. */
export function causalMask(g: GraphBuilder, length: number): Value {
  const data = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) data[i * length + j] = -Infinity;
  return g.constant({ dtype: 'float32', dims: [length, length], data });
}
