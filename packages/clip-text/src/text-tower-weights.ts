import { type GraphBuilder, MaskgenError, type ResidualAttentionBlockParams, type SafetensorsFile, type Value, quote } from '@maskgen/core';

/** The two checkpoint layouts of the CLIP text tower: Hugging Face transformers and open_clip. */
export type TextTowerLayout = 'hf' | 'open_clip';

/** Tensor names that do not depend on the block index, per layout. */
export const TOWER_NAMES = {
  hf: {
    tokenEmbedding: 'text_model.embeddings.token_embedding.weight',
    positionEmbedding: 'text_model.embeddings.position_embedding.weight',
    lnFinal: 'text_model.final_layer_norm',
    projection: 'text_projection.weight',
    blockPrefix: 'text_model.encoder.layers.',
  },
  open_clip: {
    tokenEmbedding: 'token_embedding.weight',
    positionEmbedding: 'positional_embedding',
    lnFinal: 'ln_final',
    projection: 'text_projection',
    blockPrefix: 'transformer.resblocks.',
  },
} as const;

/**
 * Which layout a checkpoint uses, told by its tensor names. A full CLIP file (vision tower too)
 * is fine: only the text tensors are ever referenced, so the vision bytes are never read.
 */
export function detectLayout(st: SafetensorsFile): TextTowerLayout {
  if (st.has(TOWER_NAMES.hf.tokenEmbedding)) return 'hf';
  if (st.has(TOWER_NAMES.open_clip.tokenEmbedding) && st.has(`${TOWER_NAMES.open_clip.blockPrefix}0.attn.in_proj_weight`)) return 'open_clip';
  const sample = [...st.tensors.keys()].slice(0, 5);
  throw new MaskgenError(
    'MISSING_WEIGHT',
    `weights ${quote(st.file.name)} hold no CLIP text tower: expected ${TOWER_NAMES.hf.tokenEmbedding} (Hugging Face) or ` +
      `${TOWER_NAMES.open_clip.tokenEmbedding} + transformer.resblocks.* (open_clip); found e.g. ${sample.join(', ')}`,
  );
}

/** Counts blocks 0..n-1 present in the checkpoint (the layer count is read, never assumed). */
export function countBlocks(st: SafetensorsFile, layout: TextTowerLayout): number {
  const probe = layout === 'hf' ? 'layer_norm1.weight' : 'ln_1.weight';
  let n = 0;
  while (st.has(`${TOWER_NAMES[layout].blockPrefix}${n}.${probe}`)) n++;
  return n;
}

/**
 * A weight as a float32 graph value: float16 checkpoints are cast inside the graph, so mixed
 * precision files work without converting them on disk.
 */
export function floatWeight(g: GraphBuilder, st: SafetensorsFile, name: string, dims?: readonly number[]): Value {
  const w = g.weight(st, name, dims);
  return st.info(name).stDtype === 'F16' ? g.op1('Cast', [w], { to: 1 }) : w;
}

/** Block `i`'s parameters resolved for the shared residual attention block. */
export function blockParams(
  g: GraphBuilder,
  st: SafetensorsFile,
  layout: TextTowerLayout,
  i: number,
  dims: { width: number; mlp: number },
): ResidualAttentionBlockParams {
  const { width, mlp } = dims;
  const p = `${TOWER_NAMES[layout].blockPrefix}${i}.`;
  const w = (name: string, dims?: readonly number[]) => floatWeight(g, st, p + name, dims);
  const lin = (name: string, out: number, inp: number) => ({
    weight: w(`${name}.weight`, [out, inp]),
    bias: st.has(`${p}${name}.bias`) ? w(`${name}.bias`, [out]) : null,
  });
  const norm = (name: string) => ({ weight: w(`${name}.weight`, [width]), bias: w(`${name}.bias`, [width]) });
  if (layout === 'hf') {
    const qkv = { q: lin('self_attn.q_proj', width, width), k: lin('self_attn.k_proj', width, width), v: lin('self_attn.v_proj', width, width) };
    const out = lin('self_attn.out_proj', width, width);
    return { ln1: norm('layer_norm1'), qkv, out, ln2: norm('layer_norm2'), fc1: lin('mlp.fc1', mlp, width), fc2: lin('mlp.fc2', width, mlp) };
  }
  const qkv = { weight: w('attn.in_proj_weight', [3 * width, width]), bias: st.has(`${p}attn.in_proj_bias`) ? w('attn.in_proj_bias', [3 * width]) : null };
  const out = lin('attn.out_proj', width, width);
  return { ln1: norm('ln_1'), qkv, out, ln2: norm('ln_2'), fc1: lin('mlp.c_fc', mlp, width), fc2: lin('mlp.c_proj', width, mlp) };
}
