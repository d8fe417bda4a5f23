import type { GraphBuilder, Value } from './graph-builder.js';

/** The batch size of `like` as a 1-element int64 tensor (for building dynamic shapes). */
export function batchDim(g: GraphBuilder, like: Value): Value {
  return g.op1('Slice', [g.op1('Shape', [like]), g.i64([0]), g.i64([1])]);
}

/**
 * Broadcasts a learned [1, ...rest] tensor to the batch size of `like` (class tokens, mask tokens,
 * positional prefixes), so graphs take any batch size without per-batch weights.
 */
export function expandToBatch(g: GraphBuilder, t: Value, like: Value, rest: readonly number[]): Value {
  const shape = g.op1('Concat', [batchDim(g, like), g.i64(rest)], { axis: 0 });
  return g.op1('Expand', [t, shape]);
}

/** Reshape with a static target (0 copies a dim, -1 infers one). */
export function reshape(g: GraphBuilder, x: Value, dims: readonly number[]): Value {
  return g.op1('Reshape', [x, g.i64(dims)]);
}

/** x[:, start:end] along `axis`. */
export function sliceAxis(g: GraphBuilder, x: Value, axis: number, start: number, end: number): Value {
  return g.op1('Slice', [x, g.i64([start]), g.i64([end]), g.i64([axis])]);
}
