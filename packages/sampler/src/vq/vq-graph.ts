import { GraphBuilder, type OnnxModel, type SafetensorsFile, linear, linearFrom, reshape, sliceAxis, type GraphOptions } from '@maskgen/core';
import { jointTransformer } from '../mmdit/joint-block.js';
import type { MaskGenVqSpec } from './vq-config.js';

/** Generator graph input/output names. */
export const VQ_IO = { ids: 'ids', condition: 'condition', pooled: 'pooled', micro: 'micro', logits: 'logits' } as const;

/**
 * MaskGen_VQ.forward in eval mode: token + positional embeddings, projected CLIP condition and
 * pooled condition (with the aesthetic micro-condition), MM-DiT joint blocks, AdaLayerNormContinuous,
 * and the LM head tied to the first `codebook_size` embedding rows.
 */
export function buildMaskGenVqGraph(st: SafetensorsFile, spec: MaskGenVqSpec, opts: GraphOptions = {}): OnnxModel {
  const g = new GraphBuilder('maskgen_vq', opts);
  const { dim, numTokens: N } = spec;
  const ids = g.input(VQ_IO.ids, 'int64', ['batch', N]);
  const cond = g.input(VQ_IO.condition, 'float32', ['batch', 'text_len', spec.textEmbedDim]);
  const pooled = g.input(VQ_IO.pooled, 'float32', ['batch', 1, spec.textEmbedDim]);
  const table = g.weight(st, 'embeddings.weight');
  const x = g.op1('Add', [g.op1('Gather', [table, ids], { axis: 0 }), sliceAxis(g, g.weight(st, 'pos_embed'), 1, 0, N)]);
  const txt = linearFrom(g, st, 'text_embed_proj', cond);
  let p = reshape(g, pooled, [0, spec.textEmbedDim]);
  if (spec.microCondition) p = g.op1('Concat', [p, g.input(VQ_IO.micro, 'float32', ['batch', spec.microDim])], { axis: 1 });
  const temb = linearFrom(g, st, 'cond_pooled_proj', p);
  const h = jointTransformer(g, st, x, txt, temb, { dim, heads: spec.heads, imageTokens: N });
  const logits =
    spec.lmHead === 'linear'
      ? linearFrom(g, st, 'lm_head', h)
      : linear(g, h, sliceAxis(g, st.has('lm_head.weight') ? g.weight(st, 'lm_head.weight') : table, 0, 0, spec.codebookSize));
  g.output(logits, VQ_IO.logits);
  return g.build();
}
