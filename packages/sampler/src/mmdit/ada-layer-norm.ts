import { type GraphBuilder, type SafetensorsFile, type Value, activation, chunk, layerNorm, linearFrom, modulate } from '@maskgen/core';

/** diffusers' LayerNorm eps inside the MM-DiT blocks and the final AdaLayerNormContinuous. */
export const MMDIT_EPS = 1e-6;

/** LayerNorm without affine parameters (elementwise_affine=False). */
export function plainNorm(g: GraphBuilder, x: Value, dim: number): Value {
  return layerNorm(g, x, null, null, MMDIT_EPS, dim);
}

/**
 * diffusers AdaLayerNormZero: linear(silu(temb)) → 6 chunks (shift/scale/gate for attention, then
 * for the MLP); returns the modulated normed input and the remaining five vectors.
 */
export function adaLayerNormZero(g: GraphBuilder, st: SafetensorsFile, prefix: string, x: Value, temb: Value, dim: number) {
  const emb = linearFrom(g, st, `${prefix}.linear`, activation(g, temb, 'silu'));
  const [shiftMsa, scaleMsa, gateMsa, shiftMlp, scaleMlp, gateMlp] = chunk(g, emb, 6, 6 * dim);
  return { x: modulate(g, plainNorm(g, x, dim), shiftMsa, scaleMsa), gateMsa, shiftMlp, scaleMlp, gateMlp };
}

/** diffusers AdaLayerNormContinuous: linear(silu(cond)) → (scale, shift) — note scale comes first. */
export function adaLayerNormContinuous(g: GraphBuilder, st: SafetensorsFile, prefix: string, x: Value, cond: Value, dim: number): Value {
  const [scale, shift] = chunk(g, linearFrom(g, st, `${prefix}.linear`, activation(g, cond, 'silu')), 2, 2 * dim);
  return modulate(g, plainNorm(g, x, dim), shift, scale);
}
