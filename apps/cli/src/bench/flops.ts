/**
 * FLOP counts from the architectures (2 per multiply-add), so achieved GFLOP/s can be compared
 * with the machine's GEMM peak and the KL sampler's wall time split against its work split.
 */

/** Pre-LN transformer layers: 24·d² per token per layer for the linears, 4·L·d for attention. */
export function transformerFlops(batch: number, len: number, d: number, layers: number): number {
  return batch * layers * len * (24 * d * d + 4 * len * d);
}

/** CLIP text tower on `batch` prompts of 77 tokens. */
export const clipFlops = (batch: number, width = 768, layers = 12) => transformerFlops(batch, 77, width, layers);

/**
 * TA-TiTok decode of one image: [cls | mask grid | latent tokens | text] through the decoder ViT,
 * plus the token, text and pixel projections.
 */
export function tatitokDecodeFlops(o: {
  width: number;
  layers: number;
  tokens: number;
  tokenSize: number;
  grid: number;
  patch: number;
  textWidth?: number;
}): number {
  const text = 77;
  const seq = 1 + o.grid * o.grid + o.tokens + text;
  const proj = o.tokens * o.tokenSize * o.width + text * (o.textWidth ?? 768) * o.width + o.grid * o.grid * o.width * o.patch * o.patch * 3;
  return transformerFlops(1, seq, o.width, o.layers) + 2 * proj;
}

/** One MaskGen-VQ forward at CFG batch 2: the joint blocks over text + image tokens and the logits. */
export const vqForwardFlops = (d: number, depth: number, tokens = 128, codebook = 8192) =>
  transformerFlops(2, tokens + 77, d, depth) + 2 * 2 * tokens * d * codebook;

/** The DiffLoss MLP (SimpleMLPAdaLN) for one row at one diffusion step, run whole as the reference does. */
export function difflossRowFlops(o: { width: number; dim: number; tokenSize: number; blocks: number; freq?: number }): number {
  const W = o.width;
  const C = o.tokenSize;
  return 2 * (C * W + (o.freq ?? 256) * W + W * W + o.dim * W + o.blocks * (3 * W * W + 2 * W * W) + 2 * W * W + 2 * C * W);
}

/** KL sampling of `batch` images (default 1) with CFG: `iters` MAE decoder passes and `steps` MLP runs per predicted row. */
export function klSampleFlops(o: {
  d: number;
  depth: number;
  tokens: number;
  iters: number;
  steps: number;
  mlpWidth: number;
  mlpBlocks: number;
  tokenSize: number;
  batch?: number;
}) {
  const B = o.batch ?? 1;
  const decoder = o.iters * transformerFlops(2 * B, o.tokens + 77, o.d, o.depth);
  const head = o.steps * 2 * B * o.tokens * difflossRowFlops({ width: o.mlpWidth, dim: o.d, tokenSize: o.tokenSize, blocks: o.mlpBlocks });
  return { decoder, head, total: decoder + head };
}
