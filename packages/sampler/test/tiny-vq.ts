import { SafetensorsFile, SeededRng, type Tensor, encodeSafetensors, memoryFile, tensor } from '@maskgen/core';

/** Shape of a synthetic MaskGen-VQ checkpoint (the reference's tensor names, random weights). */
export interface TinyVqShape {
  dim: number;
  heads: number;
  depth: number;
  tokens: number;
  codebook: number;
  textDim: number;
  microDim: number;
  classes: number;
}

export const TINY: TinyVqShape = { dim: 32, heads: 2, depth: 2, tokens: 8, codebook: 16, textDim: 24, microDim: 8, classes: 10 };

/**
 * A MaskGen_VQ state dict with random weights and no `lm_head.weight` (the tied head must fall back to
 * the embedding table), plus the config.json the reference would write for it.
 */
export async function tinyVqCheckpoint(s: TinyVqShape = TINY, seed = 1): Promise<{ weights: SafetensorsFile; config: unknown }> {
  const rng = new SeededRng(seed);
  const w: Record<string, Tensor> = {};
  const put = (name: string, dims: number[], std = 0.2) => {
    w[name] = tensor(
      'float32',
      dims,
      rng.normal(dims).map((v) => v * std),
    );
  };
  const lin = (name: string, out: number, inp: number) => {
    put(`${name}.weight`, [out, inp], 1 / Math.sqrt(inp));
    put(`${name}.bias`, [out], 0.05);
  };
  const d = s.dim;
  for (let i = 0; i < s.depth; i++) {
    const b = `blocks.${i}`;
    const last = i === s.depth - 1;
    for (const n of ['to_q', 'to_k', 'to_v', 'add_q_proj', 'add_k_proj', 'add_v_proj', 'to_out.0']) lin(`${b}.attn.${n}`, d, d);
    lin(`${b}.ff.net.0.proj`, 4 * d, d);
    lin(`${b}.ff.net.2`, d, 4 * d);
    lin(`${b}.norm1.linear`, 6 * d, d);
    lin(`${b}.norm1_context.linear`, (last ? 2 : 6) * d, d);
    if (!last) {
      lin(`${b}.attn.to_add_out`, d, d);
      lin(`${b}.ff_context.net.0.proj`, 4 * d, d);
      lin(`${b}.ff_context.net.2`, d, 4 * d);
    }
  }
  lin('text_embed_proj', d, s.textDim);
  lin('cond_pooled_proj', d, s.textDim + s.microDim);
  lin('norm.linear', 2 * d, d);
  put('embeddings.weight', [s.codebook + 1 + s.classes + 1, d], 0.15);
  put('pos_embed', [1, s.tokens, d], 0.5);
  const weights = await SafetensorsFile.open(memoryFile(encodeSafetensors(w), 'tiny_maskgen_vq.safetensors'));
  const config = {
    model: {
      vq_model: { quantize_mode: 'vq', codebook_size: s.codebook, token_size: 8, num_latent_tokens: s.tokens, text_embed_dim: s.textDim },
      maskgen: {
        decoder_embed_dim: d,
        decoder_depth: s.depth,
        decoder_num_heads: s.heads,
        micro_condition: true,
        micro_condition_embed_dim: s.microDim,
        condition_num_classes: s.classes,
        sample_aesthetic_score: 6.5,
      },
    },
  };
  return { weights, config };
}

/** Random CLIP-like conditions for B prompts and the empty prompt (one row). */
export function tinyConditions(B: number, s: TinyVqShape = TINY, seed = 2) {
  const rng = new SeededRng(seed);
  const t = (dims: number[]) => tensor('float32', dims, rng.normal(dims));
  return { condition: t([B, 7, s.textDim]), pooled: t([B, 1, s.textDim]), uncondCondition: t([1, 7, s.textDim]), uncondPooled: t([1, 1, s.textDim]) };
}
