import {
  GraphBuilder,
  MaskgenError,
  type OnnxModel,
  type SafetensorsFile,
  type Value,
  expandToBatch,
  layerNormFrom,
  linearFrom,
  reshape,
  sliceAxis,
  type GraphOptions,
} from '@maskgen/core';
import type { TatitokSpec } from './tatitok-config.js';
import { LN_EPS, l2Normalize, vitStack } from './vit-stack.js';

/** Decoder graph input/output names. */
export const DECODER_IO = { tokens: 'tokens', textGuidance: 'text_guidance', image: 'image' } as const;

/** VQ ids [B,N] → codebook vectors [B,N,C]; KL latents [B,C,1,N] → [B,N,C]. */
function tokenVectors(g: GraphBuilder, st: SafetensorsFile, spec: TatitokSpec): Value {
  const N = spec.numTokens;
  const C = spec.tokenSize;
  if (spec.mode === 'vq') {
    const ids = g.input(DECODER_IO.tokens, 'int64', ['batch', N]);
    const v = g.op1('Gather', [g.weight(st, 'quantize.embedding.weight'), ids], { axis: 0 });
    return spec.useL2Norm ? l2Normalize(g, v) : v;
  }
  const z = g.input(DECODER_IO.tokens, 'float32', ['batch', C, 1, N]);
  return g.op1('Transpose', [reshape(g, z, [0, C, N])], { perm: [0, 2, 1] });
}

/**
 * Tokens + CLIP text guidance [B, L, D_text] → image [B,3,H,W] (unclamped), as the reference's
 * TATiTokDecoder: [cls, mask tokens] + positions, token embeddings + latent positions, projected text
 * + its positions, pre-LN transformer, ln_post, per-patch pixel projection, 3×3 conv_out.
 */
export function buildDecoderGraph(st: SafetensorsFile, spec: TatitokSpec, opts: GraphOptions = {}): OnnxModel {
  const g = new GraphBuilder('tatitok_decoder', opts);
  const { width: W, grid, patch: p } = spec.decoder;
  const N = spec.numTokens;
  const vectors = tokenVectors(g, st, spec);
  const text = g.input(DECODER_IO.textGuidance, 'float32', ['batch', spec.textContextLength, spec.textEmbedDim]);
  const x = g.op1('Add', [
    linearFrom(g, st, 'decoder.decoder_embed', vectors),
    sliceAxis(g, g.weight(st, 'decoder.latent_token_positional_embedding'), 0, 0, N),
  ]);
  // [cls, mask × grid²] + positional embedding: identical for every sample, so built once at [1, …].
  const mask = g.op1('Expand', [g.weight(st, 'decoder.mask_token'), g.i64([1, grid * grid, W])]);
  const cls = reshape(g, g.weight(st, 'decoder.class_embedding'), [1, 1, W]);
  const prefix = g.op1('Add', [g.op1('Concat', [cls, mask], { axis: 1 }), g.weight(st, 'decoder.positional_embedding')]);
  const prefixB = expandToBatch(g, prefix, x, [1 + grid * grid, W]);
  const txt = g.op1('Add', [linearFrom(g, st, 'decoder.text_guidance_proj', text), g.weight(st, 'decoder.text_guidance_positional_embedding')]);
  const h = vitStack(g, st, 'decoder', g.op1('Concat', [prefixB, x, txt], { axis: 1 }), spec.decoder);
  const patches = layerNormFrom(g, st, 'decoder.ln_post', sliceAxis(g, h, 1, 1, 1 + grid * grid), LN_EPS);
  const fmap = reshape(g, g.op1('Transpose', [patches], { perm: [0, 2, 1] }), [0, W, grid, grid]);
  if (!st.has('decoder.conv_out.weight')) {
    throw new MaskgenError('INVALID_CHECKPOINT', 'legacy TA-TiTok decoders (is_legacy: true, MaskGIT-VQGAN pixel decoder) are not supported');
  }
  const pix = g.op1('Conv', [fmap, g.weight(st, 'decoder.ffn.0.weight'), g.weight(st, 'decoder.ffn.0.bias')], { kernel_shape: [1, 1] });
  // 'b (p1 p2 c) h w -> b c (h p1) (w p2)'
  const six = reshape(g, pix, [0, p, p, 3, grid, grid]);
  const img = reshape(g, g.op1('Transpose', [six], { perm: [0, 3, 4, 1, 5, 2] }), [0, 3, grid * p, grid * p]);
  const out = g.op1('Conv', [img, g.weight(st, 'decoder.conv_out.weight'), g.weight(st, 'decoder.conv_out.bias')], {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
  });
  g.output(out, DECODER_IO.image);
  return g.build();
}
