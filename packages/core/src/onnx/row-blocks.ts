import type { SafetensorsFile } from '../safetensors.js';
import { linear } from './blocks.js';
import type { GraphBuilder, Value } from './graph-builder.js';

/**
 * `nn.Linear` on row vectors [N, in] as one Gemm with transB, reading the checkpoint's [out, in]
 * weight in place. Unlike `linear`, no Transpose node is created, so a graph that applies the same
 * layer many times (an unrolled sampling loop) never gets one folded copy of the weight per use.
 */
export function gemmFrom(g: GraphBuilder, st: SafetensorsFile, prefix: string, x: Value): Value {
  const bias = st.has(`${prefix}.bias`) ? g.weight(st, `${prefix}.bias`) : null;
  const w = g.weight(st, `${prefix}.weight`);
  if (g.int8Weight(w)) return linear(g, x, w, bias);
  return g.op1('Gemm', [x, w, bias], { transB: 1 });
}

/**
 * x·(1 + scale) + shift where x, shift and scale are all rows [N, D] (DiT-style adaLN on per-row
 * conditions, e.g. a diffusion MLP), in the reference's operation order.
 */
export function modulateRows(g: GraphBuilder, x: Value, shift: Value, scale: Value): Value {
  return g.op1('Add', [g.op1('Mul', [x, g.op1('Add', [scale, g.f32(1)])]), shift]);
}

/** x + gate·y with per-row gates [N, D] (adaLN-Zero residual without a sequence axis). */
export function gatedResidualRows(g: GraphBuilder, x: Value, gate: Value, y: Value): Value {
  return g.op1('Add', [x, g.op1('Mul', [gate, y])]);
}
