import { GraphBuilder, type OnnxModel, type SafetensorsFile, causalMask, layerNorm, residualAttentionBlock, type GraphOptions } from '@maskgen/core';
import type { TextTowerSpec } from './text-tower-config.js';
import { TOWER_NAMES, blockParams, floatWeight } from './text-tower-weights.js';

/** Graph input and output names of the text tower. */
export const TEXT_TOWER_IO = {
  ids: 'ids',
  penultimate: 'penultimate',
  final: 'final',
  pooled: 'pooled',
} as const;

/**
 * The CLIP text tower as one ONNX graph, from either key layout: token + position embedding,
 * causal pre-LN blocks, and three outputs — the hidden states before the last block (MaskGen's
 * condition), ln_final after all blocks (TA-TiTok's text guidance) and the projection of ln_final
 * at each row's first maximal id, i.e. the first EOT (MaskGen's pooled condition, [B, 1, E]).
 */
export function buildTextTowerGraph(st: SafetensorsFile, spec: TextTowerSpec, graphOpts: GraphOptions = {}): OnnxModel {
  const { layout, width, contextLength: L } = spec;
  const names = TOWER_NAMES[layout];
  const g = new GraphBuilder(`clip-text-${layout}-${spec.activation}`, graphOpts);
  const ids = g.input(TEXT_TOWER_IO.ids, 'int64', ['batch', L]);
  const tokEmb = floatWeight(g, st, names.tokenEmbedding, [spec.vocabSize, width]);
  let x = g.op1('Gather', [tokEmb, ids], { axis: 0 });
  x = g.op1('Add', [x, floatWeight(g, st, names.positionEmbedding, [L, width])]);
  const mask = causalMask(g, L);
  const opts = { heads: spec.heads, headDim: width / spec.heads, eps: spec.eps, activation: spec.activation, mask };
  let penultimate = x;
  for (let i = 0; i < spec.layers; i++) {
    if (i === spec.layers - 1) penultimate = x;
    x = residualAttentionBlock(g, x, blockParams(g, st, layout, i, { width, mlp: spec.mlp }), opts);
  }
  const final = layerNorm(g, x, floatWeight(g, st, `${names.lnFinal}.weight`, [width]), floatWeight(g, st, `${names.lnFinal}.bias`, [width]), spec.eps);

  // Pooling: ArgMax returns the first maximal index (torch.argmax's choice), gathered per row.
  const eotPos = g.op1('Unsqueeze', [g.op1('ArgMax', [ids], { axis: 1, keepdims: 1 }), g.i64([2])]);
  const index = g.op1('Expand', [eotPos, g.i64([1, 1, width])]);
  const pooledTok = g.op1('GatherElements', [final, index], { axis: 1 });
  const projDims = layout === 'hf' ? [spec.embedDim, width] : [width, spec.embedDim];
  let proj = floatWeight(g, st, names.projection, projDims);
  if (layout === 'hf') proj = g.op1('Transpose', [proj], { perm: [1, 0] });
  const pooled = g.op1('MatMul', [pooledTok, proj]);

  g.output(penultimate, TEXT_TOWER_IO.penultimate, 'float32', ['batch', L, width]);
  g.output(final, TEXT_TOWER_IO.final, 'float32', ['batch', L, width]);
  g.output(pooled, TEXT_TOWER_IO.pooled, 'float32', ['batch', 1, spec.embedDim]);
  return g.build();
}
