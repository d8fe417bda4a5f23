import { MaskgenError } from '../errors.js';
import type { SafetensorsFile } from '../safetensors.js';
import type { GraphBuilder, Value } from './graph-builder.js';
import { reshape, sliceAxis } from './shape-ops.js';

/** Feed-forward activations used by the models: CLIP (QuickGELU or exact GELU), TA-TiTok (GELU), MM-DiT (GELU-tanh). */
export type Activation = 'gelu' | 'gelu-tanh' | 'quick-gelu' | 'silu';

/**
 * y = x W^T + b for a PyTorch `nn.Linear` weight [out, in]. The transpose of a constant is folded
 * by ORT at session creation, so the checkpoint's layout is used as-is with no conversion step.
 * In an int8 graph (GraphBuilder `precision`) large checkpoint weights run as MatMulNBits instead.
 */
export function linear(g: GraphBuilder, x: Value, weight: Value, bias?: Value | null): Value {
  const q = g.int8Weight(weight);
  if (q?.kernel === 'DequantizeLinear') {
    // Per-row scales of the [N·K/32, 32] blocks give each block its own scale; ORT does not fold a
    // DequantizeLinear of constants, so the weights stay int8 in memory and expand per call.
    const blocks = g.op1('DequantizeLinear', [q.q, q.scales], { axis: 0 });
    let w = reshape(g, blocks, [q.N, -1]);
    if (q.K % q.blockSize) w = sliceAxis(g, w, 1, 0, q.K);
    // Gemm with transB reads W [N, K] as expanded. MatMul would need a Transpose of it, and a per-call
    // weight is not folded: one more full pass over every weight each call (on SwiftShader, ~40× its
    // DequantizeLinear and half an int8 call's GPU time; docs/runtimes.md, Real sizes). [.., K] → rows → back.
    const rows = g.op1('Gemm', [reshape(g, x, [-1, q.K]), w, bias ?? null], { transB: 1 });
    const lead = g.op1('Slice', [g.op1('Shape', [x]), g.i64([0]), g.i64([-1])]);
    return g.op1('Reshape', [rows, g.op1('Concat', [lead, g.i64([q.N])], { axis: 0 })]);
  }
  if (q) {
    // accuracy_level 4: activations are quantised per block too, so the product runs on int8 dot-product units.
    const y = g.op1('MatMulNBits', [x, q.q, q.scales], { K: q.K, N: q.N, bits: 8, block_size: q.blockSize, accuracy_level: 4 }, { domain: 'com.microsoft' });
    return bias ? g.op1('Add', [y, bias]) : y;
  }
  const wt = g.op1('Transpose', [weight], { perm: [1, 0] });
  const y = g.op1('MatMul', [x, wt]);
  return bias ? g.op1('Add', [y, bias]) : y;
}

/** `nn.Linear` straight from a checkpoint prefix (`prefix.weight`, optional `prefix.bias`). */
export function linearFrom(g: GraphBuilder, st: SafetensorsFile, prefix: string, x: Value, opts: { bias?: boolean } = {}): Value {
  const w = g.weight(st, `${prefix}.weight`);
  const hasBias = opts.bias ?? st.has(`${prefix}.bias`);
  return linear(g, x, w, hasBias ? g.weight(st, `${prefix}.bias`) : null);
}

/** How a LayerNorm computes its variance (see `layerNorm`). */
export interface LayerNormOptions {
  /**
   * Two-pass variance, mean((x − mean)²), spelled out in primitive ops, for inputs far from zero
   * (the reverse-diffusion latents reach 1e5). onnxruntime-web's WebGPU LayerNormalization computes
   * mean(x²) − mean² in float32, which cancels catastrophically there and goes negative (NaN).
   */
  twoPass?: boolean;
}

/** LayerNorm over the last axis; `weight`/`bias` may be omitted for elementwise_affine=False. */
export function layerNorm(g: GraphBuilder, x: Value, weight: Value | null, bias: Value | null, eps: number, dim?: number, opts: LayerNormOptions = {}): Value {
  if (opts.twoPass) {
    if (dim === undefined) throw new MaskgenError('INVALID_ARGUMENT', 'a two-pass layerNorm needs `dim`');
    // ReduceSum × 1/N (not ReduceMean) keeps ORT's LayerNormFusion from folding this back into the one-pass kernel.
    const axes = g.i64([-1]);
    const inv = g.f32(1 / dim);
    const d = g.op1('Sub', [x, g.op1('Mul', [g.op1('ReduceSum', [x, axes], { keepdims: 1 }), inv])]);
    const variance = g.op1('Mul', [g.op1('ReduceSumSquare', [d, axes], { keepdims: 1 }), inv]);
    let y = g.op1('Div', [d, g.op1('Sqrt', [g.op1('Add', [variance, g.f32(eps)])])]);
    if (weight) y = g.op1('Mul', [y, weight]);
    return bias ? g.op1('Add', [y, bias]) : y;
  }
  let w = weight;
  let b = bias;
  if (!w || !b) {
    if (dim === undefined) throw new MaskgenError('INVALID_ARGUMENT', 'layerNorm without affine parameters needs `dim`');
    w ??= g.f32(new Array<number>(dim).fill(1));
    // An explicit zero bias: ORT's SkipLayerNormalization fusion crashes on a LayerNormalization
    // whose optional bias input is absent (onnxruntime 1.30, graph optimisation level 'all').
    b ??= g.f32(new Array<number>(dim).fill(0));
  }
  return g.op1('LayerNormalization', [x, w, b], { axis: -1, epsilon: { f: eps } });
}

/** LayerNorm from a checkpoint prefix (`prefix.weight`, `prefix.bias`). */
export function layerNormFrom(g: GraphBuilder, st: SafetensorsFile, prefix: string, x: Value, eps: number, opts: LayerNormOptions = {}): Value {
  const dim = st.info(`${prefix}.weight`).dims[0];
  return layerNorm(g, x, g.weight(st, `${prefix}.weight`), st.has(`${prefix}.bias`) ? g.weight(st, `${prefix}.bias`) : null, eps, dim, opts);
}

/** Applies an activation; QuickGELU is x·σ(1.702x), exactly as OpenAI CLIP defines it. */
export function activation(g: GraphBuilder, x: Value, act: Activation): Value {
  switch (act) {
    case 'gelu':
      return g.op1('Gelu', [x]);
    case 'gelu-tanh': {
      // Spelled out, not Gelu(approximate='tanh'): onnxruntime-web's WebGPU Gelu ignores the
      // attribute and computes exact (erf) GELU, ~1e-3 off. 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
      const x3 = g.op1('Mul', [x, g.op1('Mul', [x, x])]);
      const inner = g.op1('Mul', [g.f32(Math.sqrt(2 / Math.PI)), g.op1('Add', [x, g.op1('Mul', [g.f32(0.044715), x3])])]);
      return g.op1('Mul', [g.op1('Mul', [g.f32(0.5), x]), g.op1('Add', [g.f32(1), g.op1('Tanh', [inner])])]);
    }
    case 'quick-gelu':
      return g.op1('Mul', [x, g.op1('Sigmoid', [g.op1('Mul', [x, g.f32(1.702)])])]);
    case 'silu':
      return g.op1('Mul', [x, g.op1('Sigmoid', [x])]);
  }
}

/** Two-layer MLP (fc → act → fc) from two checkpoint prefixes. */
export function mlpFrom(g: GraphBuilder, st: SafetensorsFile, fc1: string, fc2: string, x: Value, act: Activation): Value {
  return linearFrom(g, st, fc2, activation(g, linearFrom(g, st, fc1, x), act));
}

/**
 * Splits `axis` (of length `size`) into `n` equal chunks (packed qkv projections, adaLN modulation
 * vectors). The chunk sizes are given as Split's `split` input rather than opset 18's `num_outputs`
 * alone: onnxruntime-web's WebGPU Split derives no sizes from `num_outputs` and emits zero-sized
 * outputs, while explicit sizes run the same on every backend.
 */
export function chunk(g: GraphBuilder, x: Value, n: number, size: number, axis = -1): Value[] {
  if (!Number.isInteger(size) || size <= 0 || size % n !== 0) {
    throw new MaskgenError('SHAPE_MISMATCH', `graph ${g.name}: cannot split an axis of length ${size} into ${n} equal chunks`);
  }
  if (n > 6) {
    // One static Slice per chunk: onnxruntime-web's WebGPU Split returns wrong values for the
    // DiffLoss modulations' 3·blocks+2 chunks (up to 6 are right), a Slice is right everywhere.
    const step = size / n;
    return Array.from({ length: n }, (_, i) => g.op1('Slice', [x, g.i64([i * step]), g.i64([(i + 1) * step]), g.i64([axis])]));
  }
  return g.op('Split', [x, g.i64(new Array<number>(n).fill(size / n))], { axis }, { outputs: n });
}

/** x·(1 + scale) + shift with per-sample vectors [B, D] broadcast over the sequence (adaLN modulation). */
export function modulate(g: GraphBuilder, x: Value, shift: Value | null, scale: Value): Value {
  const axes = g.i64([1]);
  const s = g.op1('Unsqueeze', [scale, axes]);
  const y = g.op1('Mul', [x, g.op1('Add', [s, g.f32(1)])]);
  return shift ? g.op1('Add', [y, g.op1('Unsqueeze', [shift, axes])]) : y;
}

/** x + gate[:, None] * y, the gated residual of adaLN-Zero blocks. */
export function gatedResidual(g: GraphBuilder, x: Value, gate: Value, y: Value): Value {
  return g.op1('Add', [x, g.op1('Mul', [g.op1('Unsqueeze', [gate, g.i64([1])]), y])]);
}
