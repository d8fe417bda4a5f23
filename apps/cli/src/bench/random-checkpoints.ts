import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Tensor name → shape: a checkpoint layout without its numbers. */
export type ShapeTable = Record<string, number[]>;

const ln = (t: ShapeTable, p: string, d: number) => {
  t[`${p}.weight`] = [d];
  t[`${p}.bias`] = [d];
};
const lin = (t: ShapeTable, p: string, out: number, inp: number) => {
  t[`${p}.weight`] = [out, inp];
  t[`${p}.bias`] = [out];
};

/** nn.MultiheadAttention + MLP pre-LN blocks, as open_clip and TA-TiTok store them. */
function residualBlocks(t: ShapeTable, prefix: string, layers: number, d: number): void {
  for (let i = 0; i < layers; i++) {
    const b = `${prefix}.${i}`;
    ln(t, `${b}.ln_1`, d);
    t[`${b}.attn.in_proj_weight`] = [3 * d, d];
    t[`${b}.attn.in_proj_bias`] = [3 * d];
    lin(t, `${b}.attn.out_proj`, d, d);
    ln(t, `${b}.ln_2`, d);
    lin(t, `${b}.mlp.c_fc`, 4 * d, d);
    lin(t, `${b}.mlp.c_proj`, d, 4 * d);
  }
}

/** OpenAI CLIP ViT-L-14(-336) text tower in open_clip layout. */
export function clipTextShapes(): ShapeTable {
  const t: ShapeTable = { 'token_embedding.weight': [49408, 768], positional_embedding: [77, 768], text_projection: [768, 768] };
  residualBlocks(t, 'transformer.resblocks', 12, 768);
  ln(t, 'ln_final', 768);
  return t;
}

/** A TA-TiTok checkpoint and its reference config for given ViT sizes (widths/layers from the size table). */
export function tatitokShapes(o: { enc: 'small' | 'base' | 'large'; dec: 'small' | 'base' | 'large'; tokens: number; mode: 'vq' | 'vae' }): {
  shapes: ShapeTable;
  config: object;
} {
  const size = { small: [512, 8], base: [768, 12], large: [1024, 24] } as const;
  const [we, le] = size[o.enc];
  const [wd, ld] = size[o.dec];
  const p = 16;
  const grid = 256 / p;
  const C = o.mode === 'vq' ? 64 : 16;
  const t: ShapeTable = { latent_tokens: [o.tokens, we] };
  lin(t, 'encoder.patch_embed', we, 3);
  t['encoder.patch_embed.weight'] = [we, 3, p, p];
  Object.assign(t, {
    'encoder.class_embedding': [1, we],
    'encoder.positional_embedding': [grid * grid + 1, we],
    'encoder.latent_token_positional_embedding': [o.tokens, we],
  });
  ln(t, 'encoder.ln_pre', we);
  residualBlocks(t, 'encoder.transformer', le, we);
  ln(t, 'encoder.ln_post', we);
  t['encoder.conv_out.weight'] = [o.mode === 'vq' ? C : 2 * C, we, 1, 1];
  t['encoder.conv_out.bias'] = [o.mode === 'vq' ? C : 2 * C];
  if (o.mode === 'vq') t['quantize.embedding.weight'] = [8192, C];
  lin(t, 'decoder.decoder_embed', wd, C);
  Object.assign(t, {
    'decoder.class_embedding': [1, wd],
    'decoder.positional_embedding': [grid * grid + 1, wd],
    'decoder.mask_token': [1, 1, wd],
    'decoder.latent_token_positional_embedding': [o.tokens, wd],
    'decoder.text_guidance_positional_embedding': [77, wd],
  });
  lin(t, 'decoder.text_guidance_proj', wd, 768);
  ln(t, 'decoder.ln_pre', wd);
  residualBlocks(t, 'decoder.transformer', ld, wd);
  ln(t, 'decoder.ln_post', wd);
  t['decoder.ffn.0.weight'] = [p * p * 3, wd, 1, 1];
  t['decoder.ffn.0.bias'] = [p * p * 3];
  t['decoder.conv_out.weight'] = [3, 3, 3, 3];
  t['decoder.conv_out.bias'] = [3];
  const vq_model = {
    quantize_mode: o.mode,
    ...(o.mode === 'vq' ? { codebook_size: 8192, commitment_cost: 0.25, use_l2_norm: false, clustering_vq: false } : {}),
    token_size: C,
    vit_enc_model_size: o.enc,
    vit_dec_model_size: o.dec,
    vit_enc_patch_size: p,
    vit_dec_patch_size: p,
    num_latent_tokens: o.tokens,
    finetune_decoder: false,
    is_legacy: false,
  };
  return { shapes: t, config: { model: { vq_model }, dataset: { preprocessing: { crop_size: 256 } } } };
}

/** MM-DiT joint blocks (last one context_pre_only) plus the final AdaLayerNormContinuous. */
function jointBlocks(t: ShapeTable, prefix: string, norm: string, dim: number, depth: number): void {
  for (let i = 0; i < depth; i++) {
    const b = `${prefix}.${i}`;
    const last = i === depth - 1;
    lin(t, `${b}.norm1.linear`, 6 * dim, dim);
    lin(t, `${b}.norm1_context.linear`, (last ? 2 : 6) * dim, dim);
    for (const n of ['to_q', 'to_k', 'to_v', 'add_q_proj', 'add_k_proj', 'add_v_proj', 'to_out.0', ...(last ? [] : ['to_add_out'])])
      lin(t, `${b}.attn.${n}`, dim, dim);
    for (const ff of last ? ['ff'] : ['ff', 'ff_context']) {
      lin(t, `${b}.${ff}.net.0.proj`, 4 * dim, dim);
      lin(t, `${b}.${ff}.net.2`, dim, 4 * dim);
    }
  }
  lin(t, `${norm}.linear`, 2 * dim, dim);
}

/** MaskGen-VQ generator (L: 1024 × 16, XL: 1280 × 20) with 128 tokens of bl128_vq. */
export function maskgenVqShapes(dim: number, depth: number, heads: number): { shapes: ShapeTable; config: object } {
  const t: ShapeTable = { 'embeddings.weight': [8192 + 1 + 1000 + 1, dim], pos_embed: [1, 128, dim] };
  lin(t, 'text_embed_proj', dim, 768);
  lin(t, 'cond_pooled_proj', dim, 768 + 256);
  jointBlocks(t, 'blocks', 'norm', dim, depth);
  const maskgen = {
    decoder_embed_dim: dim,
    decoder_depth: depth,
    decoder_num_heads: heads,
    micro_condition: true,
    micro_condition_embed_dim: 256,
    text_drop_prob: 0.1,
    condition_num_classes: 1000,
    cfg: 12.0,
    num_iter: 16,
    temperature: 2.0,
    sample_aesthetic_score: 6.5,
  };
  const vq_model = {
    quantize_mode: 'vq',
    codebook_size: 8192,
    token_size: 64,
    num_latent_tokens: 128,
    vit_enc_model_size: 'base',
    vit_dec_model_size: 'large',
    vit_enc_patch_size: 16,
    vit_dec_patch_size: 16,
    is_legacy: false,
  };
  return { shapes: t, config: { model: { vq_model, maskgen }, dataset: { preprocessing: { crop_size: 256 } } } };
}

/** MaskGen-KL generator (L: 1024 × 16 with an 8 × 1024 DiffLoss MLP) on 32 16-channel tokens of bl32_vae. */
export function maskgenKlShapes(dim: number, depth: number, heads: number, mlpBlocks: number, mlpWidth: number): { shapes: ShapeTable; config: object } {
  const t: ShapeTable = { decoder_pos_embed_learned: [1, 32, dim], diffusion_pos_embed_learned: [1, 32, dim], mask_token: [1, 1, dim] };
  lin(t, 'text_emb', dim, 768);
  lin(t, 'text_pooled_emb', dim, 768 + 256);
  lin(t, 'z_proj', dim, 16);
  ln(t, 'z_proj_ln', dim);
  jointBlocks(t, 'decoder_blocks', 'decoder_norm', dim, depth);
  const p = 'diffloss.net';
  lin(t, `${p}.time_embed.mlp.0`, mlpWidth, 256);
  lin(t, `${p}.time_embed.mlp.2`, mlpWidth, mlpWidth);
  lin(t, `${p}.cond_embed`, mlpWidth, dim);
  lin(t, `${p}.input_proj`, mlpWidth, 16);
  for (let i = 0; i < mlpBlocks; i++) {
    ln(t, `${p}.res_blocks.${i}.in_ln`, mlpWidth);
    lin(t, `${p}.res_blocks.${i}.mlp.0`, mlpWidth, mlpWidth);
    lin(t, `${p}.res_blocks.${i}.mlp.2`, mlpWidth, mlpWidth);
    lin(t, `${p}.res_blocks.${i}.adaLN_modulation.1`, 3 * mlpWidth, mlpWidth);
  }
  lin(t, `${p}.final_layer.adaLN_modulation.1`, 2 * mlpWidth, mlpWidth);
  lin(t, `${p}.final_layer.linear`, 32, mlpWidth);
  const maskgen = {
    decoder_embed_dim: dim,
    decoder_depth: depth,
    decoder_num_heads: heads,
    micro_condition: true,
    micro_condition_embed_dim: 256,
    text_drop_prob: 0.1,
    cfg: 3.0,
    cfg_schedule: 'linear',
    num_iter: 32,
    temperature: 1.0,
    sample_aesthetic_score: 6.5,
  };
  const vq_model = {
    quantize_mode: 'vae',
    token_size: 16,
    vit_enc_model_size: 'base',
    vit_dec_model_size: 'large',
    vit_enc_patch_size: 16,
    vit_dec_patch_size: 16,
    num_latent_tokens: 32,
    scale_factor: 0.7525,
    is_legacy: false,
  };
  return {
    shapes: t,
    config: { model: { vq_model, maskgen }, losses: { diffloss_d: mlpBlocks, diffloss_w: mlpWidth }, dataset: { preprocessing: { crop_size: 256 } } },
  };
}

/** Number of parameters of a layout. */
export function paramCount(t: ShapeTable): number {
  return Object.values(t).reduce((s, d) => s + d.reduce((a, b) => a * b, 1), 0);
}

/** The safetensors JSON header of a float32 layout (padded to 8 bytes, without its length prefix) and its data size. */
export function layoutHeader(shapes: ShapeTable): { head: Uint8Array; dataBytes: number } {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, dims] of Object.entries(shapes)) {
    const bytes = dims.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape: dims, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(Math.ceil(raw.length / 8) * 8).fill(0x20);
  head.set(raw);
  return { head, dataBytes: offset };
}

/**
 * Writes `model.safetensors` (+ `config.json`) with random weights (uniform ±0.02, LayerNorm weights 1),
 * streamed tensor by tensor so multi-gigabyte checkpoints never sit in memory whole — the folder is a
 * checkpoint in the reference's layout that the PyTorch implementation can load for comparison.
 * The seed is fixed, so an existing complete file of the same layout is reused instead of rewritten.
 */
export function writeRandomCheckpoint(dir: string, shapes: ShapeTable, config?: object, seed = 1): string {
  mkdirSync(dir, { recursive: true });
  const { head, dataBytes: offset } = layoutHeader(shapes);
  const path = join(dir, 'model.safetensors');
  if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 4));
  // A complete file of this layout from an earlier run (--save-weights DIR) is reused; partial ones never get this name.
  if (existsSync(path) && statSync(path).size === 8 + head.length + offset) return path;
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  try {
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(head.length), true);
    writeSync(fd, len);
    writeSync(fd, head);
    let s = seed >>> 0 || 1;
    for (const [name, dims] of Object.entries(shapes)) {
      const n = dims.reduce((a, b) => a * b, 1);
      const isNormWeight = /(ln_|norm)[^.]*\.weight$/.test(name) && dims.length === 1;
      for (let done = 0; done < n; ) {
        const chunk = new Float32Array(Math.min(n - done, 1 << 22));
        for (let i = 0; i < chunk.length; i++) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          chunk[i] = isNormWeight ? 1 : (s / 2 ** 32 - 0.5) * 0.04;
        }
        writeSync(fd, new Uint8Array(chunk.buffer));
        done += chunk.length;
      }
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  return path;
}
