import { fileZooEntry } from '@maskgen/pipeline';

/** A MaskGen generator's architecture sizes, as the bench's random checkpoints lay them out. */
export interface GeneratorSize {
  /** 'l' or 'xl': names components (`maskgen-vq-xl`) and checkpoint folders (`maskgen_vq_xl`). */
  label: string;
  dim: number;
  depth: number;
  heads: number;
  /** KL only: the DiffLoss MLP's residual blocks and width (`losses.diffloss_d` / `diffloss_w`). */
  mlpBlocks: number;
  mlpWidth: number;
}

/**
 * The sizes of a released generator, read from the reference's inference config that the pipeline
 * carries for its single file (bytedance/1d-tokenizer `configs/infer/MaskGen/maskgen_<kind>_<size>.yaml`:
 * L is 1024 × 16, XL 1280 × 20 with a 8 × 1280 DiffLoss MLP), so the bench and the loaders agree.
 */
export function generatorSize(kind: 'vq' | 'kl', label: 'l' | 'xl'): GeneratorSize {
  const entry = fileZooEntry(`maskgen_${kind}_${label}.bin`);
  if (!entry) throw new Error(`no built-in config for maskgen_${kind}_${label}`);
  const c = entry.config as {
    model: { maskgen: { decoder_embed_dim: number; decoder_depth: number; decoder_num_heads: number } };
    losses?: { diffloss_d: number; diffloss_w: number };
  };
  const m = c.model.maskgen;
  return {
    label,
    dim: m.decoder_embed_dim,
    depth: m.decoder_depth,
    heads: m.decoder_num_heads,
    mlpBlocks: c.losses?.diffloss_d ?? 0,
    mlpWidth: c.losses?.diffloss_w ?? 0,
  };
}
