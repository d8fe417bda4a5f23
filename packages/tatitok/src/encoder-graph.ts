import {
  GraphBuilder,
  type OnnxModel,
  type SafetensorsFile,
  type Value,
  chunk,
  expandToBatch,
  layerNormFrom,
  linear,
  reshape,
  sliceAxis,
  type GraphOptions,
} from '@maskgen/core';
import type { TatitokSpec } from './tatitok-config.js';
import { LN_EPS, l2Normalize, vitStack } from './vit-stack.js';

/** Encoder graph input/output names. */
export const ENCODER_IO = {
  pixels: 'pixels',
  encoderOut: 'encoder_out',
  indices: 'indices',
  quantized: 'quantized',
  mean: 'mean',
  logvar: 'logvar',
  std: 'std',
} as const;

/**
 * The nearest-codebook search exactly as the reference's VectorQuantizer: d = |z|² + |e|² − 2 z·e,
 * first index of the minimum (torch.argmin and ONNX ArgMin both keep the first on ties).
 */
function quantize(g: GraphBuilder, st: SafetensorsFile, spec: TatitokSpec, z: Value): { indices: Value; quantized: Value } {
  const C = spec.tokenSize;
  const N = spec.numTokens;
  // [B, C, 1, N] → rows [B·N, C]
  const rows = reshape(g, g.op1('Transpose', [reshape(g, z, [0, C, N])], { perm: [0, 2, 1] }), [-1, C]);
  let e = g.weight(st, 'quantize.embedding.weight');
  let zr = rows;
  if (spec.useL2Norm) {
    zr = l2Normalize(g, rows);
    e = l2Normalize(g, e);
  }
  const zz = g.op1('ReduceSum', [g.op1('Mul', [zr, zr]), g.i64([1])], { keepdims: 1 });
  const ee = g.op1('ReduceSum', [g.op1('Mul', [e, e]), g.i64([1])], { keepdims: 0 });
  const ze = g.op1('MatMul', [zr, g.op1('Transpose', [e], { perm: [1, 0] })]);
  const d = g.op1('Sub', [g.op1('Add', [zz, ee]), g.op1('Mul', [ze, g.f32(2)])]);
  const idx = g.op1('ArgMin', [d], { axis: 1, keepdims: 0 });
  let zq = g.op1('Gather', [g.weight(st, 'quantize.embedding.weight'), idx], { axis: 0 });
  if (spec.useL2Norm) zq = l2Normalize(g, zq);
  // straight-through z + (zq − z), as the reference returns it
  const zst = g.op1('Add', [zr, g.op1('Sub', [zq, zr])]);
  const quantized = reshape(g, g.op1('Transpose', [reshape(g, zst, [-1, N, C])], { perm: [0, 2, 1] }), [-1, C, 1, N]);
  return { indices: reshape(g, idx, [-1, 1, N]), quantized };
}

/**
 * Image [B,3,H,W] in [0,1] → encoder_out [B,C,1,N], plus VQ indices/quantised vectors or the KL
 * posterior's mean/logvar/std — the reference's TiTokEncoder (non-legacy and legacy layouts).
 */
export function buildEncoderGraph(st: SafetensorsFile, spec: TatitokSpec, opts: GraphOptions = {}): OnnxModel {
  const g = new GraphBuilder('tatitok_encoder', opts);
  const { width: W, grid } = spec.encoder;
  const N = spec.numTokens;
  const C = spec.mode === 'vae' ? spec.tokenSize * 2 : spec.tokenSize;
  const px = g.input(ENCODER_IO.pixels, 'float32', ['batch', 3, spec.imageSize, spec.imageSize]);
  const patches = g.op1('Conv', [px, g.weight(st, 'encoder.patch_embed.weight'), g.weight(st, 'encoder.patch_embed.bias')], {
    kernel_shape: [spec.encoder.patch, spec.encoder.patch],
    strides: [spec.encoder.patch, spec.encoder.patch],
  });
  const seq = g.op1('Transpose', [reshape(g, patches, [0, W, grid * grid])], { perm: [0, 2, 1] });
  const cls = expandToBatch(g, reshape(g, g.weight(st, 'encoder.class_embedding'), [1, 1, W]), px, [1, W]);
  const withPos = g.op1('Add', [g.op1('Concat', [cls, seq], { axis: 1 }), g.weight(st, 'encoder.positional_embedding')]);
  const latent = g.op1('Add', [g.weight(st, 'latent_tokens'), g.weight(st, 'encoder.latent_token_positional_embedding')]);
  const lat = expandToBatch(g, reshape(g, latent, [1, N, W]), px, [N, W]);
  const h = vitStack(g, st, 'encoder', g.op1('Concat', [withPos, lat], { axis: 1 }), spec.encoder);
  const tokens = layerNormFrom(g, st, 'encoder.ln_post', sliceAxis(g, h, 1, 1 + grid * grid, 1 + grid * grid + N), LN_EPS);
  // conv_out is a 1×1 conv over the width: a linear layer on [B, N, W] (non-legacy), or on the raw
  // [B, W, N] reinterpretation of the same memory (legacy checkpoints).
  const convW = reshape(g, g.weight(st, 'encoder.conv_out.weight'), [C, W]);
  const rowsNW = spec.isLegacy ? g.op1('Transpose', [reshape(g, tokens, [-1, W, N])], { perm: [0, 2, 1] }) : tokens;
  const out = linear(g, rowsNW, convW, g.weight(st, 'encoder.conv_out.bias'));
  const z = reshape(g, g.op1('Transpose', [out], { perm: [0, 2, 1] }), [-1, C, 1, N]);
  g.output(z, ENCODER_IO.encoderOut);
  if (spec.mode === 'vq') {
    const { indices, quantized } = quantize(g, st, spec, z);
    g.output(indices, ENCODER_IO.indices, 'int64');
    g.output(quantized, ENCODER_IO.quantized);
  } else {
    const [mean, raw] = chunk(g, z, 2, C, 1);
    const logvar = g.op1('Clip', [raw, g.f32(-30), g.f32(20)]);
    g.output(mean, ENCODER_IO.mean);
    g.output(logvar, ENCODER_IO.logvar);
    g.output(g.op1('Exp', [g.op1('Mul', [logvar, g.f32(0.5)])]), ENCODER_IO.std);
  }
  return g.build();
}
