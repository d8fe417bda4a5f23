/** The hub repo holding the reference's single-file checkpoints (`hf_hub_download(repo_id=…, filename=…)`). */
export const FILE_REPO = 'fun-research/TA-TiTok';

/** A single checkpoint file the seed names, with the tree its `configs/infer/**.yaml` loads to. */
export interface FileZooEntry {
  /** File name in FILE_REPO, e.g. `maskgen_vq_xl.bin`. */
  file: string;
  kind: 'tokenizer' | 'generator';
  /** The reference's inference config, as `demo_util.get_config` returns it. */
  config: Record<string, unknown>;
}

const crop = { preprocessing: { crop_size: 256 } };
const vit = (enc: 'small' | 'base') => ({ vit_enc_model_size: enc, vit_dec_model_size: 'large', vit_enc_patch_size: 16, vit_dec_patch_size: 16 });
const vqTokenizer = (tokens: number, clustering: boolean) => ({
  quantize_mode: 'vq',
  codebook_size: 8192,
  token_size: 64,
  use_l2_norm: false,
  commitment_cost: 0.25,
  clustering_vq: clustering,
  ...vit('base'),
  num_latent_tokens: tokens,
  finetune_decoder: false,
  is_legacy: false,
});
const klTokenizer = (enc: 'small' | 'base', tokens: number) => ({
  quantize_mode: 'vae',
  token_size: 16,
  ...vit(enc),
  num_latent_tokens: tokens,
  finetune_decoder: false,
  is_legacy: false,
});

/** configs/infer/TA-TiTok/<name>.yaml */
function tokenizer(name: string, vq_model: object): FileZooEntry {
  const file = `${name}.bin`;
  return { file, kind: 'tokenizer', config: { experiment: { tokenizer_checkpoint: file, output_dir: name }, model: { vq_model }, dataset: crop } };
}

/** configs/infer/MaskGen/<name>.yaml: MM-DiT width/depth per size (L 1024×16, XL 1280×20), the tokenizer's vq_model. */
function generator(name: string, size: 'l' | 'xl', mode: 'vq' | 'kl'): FileZooEntry {
  const [dim, depth] = size === 'l' ? [1024, 16] : [1280, 20];
  const base = {
    decoder_embed_dim: dim,
    decoder_depth: depth,
    decoder_num_heads: 16,
    micro_condition: true,
    micro_condition_embed_dim: 256,
    text_drop_prob: 0.1,
  };
  const file = `${name}.bin`;
  const tok = mode === 'vq' ? 'tatitok_bl128_vq.bin' : 'tatitok_bl32_vae.bin';
  const experiment = { tokenizer_checkpoint: tok, generator_checkpoint: file };
  const config =
    mode === 'vq'
      ? {
          experiment,
          model: {
            vq_model: vqTokenizer(128, false),
            maskgen: { ...base, condition_num_classes: 1000, cfg: 12.0, num_iter: 16, temperature: 2.0, sample_aesthetic_score: 6.5 },
          },
          dataset: crop,
        }
      : {
          experiment,
          model: {
            vq_model: { ...klTokenizer('base', 32), scale_factor: 0.7525 },
            maskgen: { ...base, cfg: 3.0, cfg_schedule: 'linear', num_iter: 32, temperature: 1.0, sample_aesthetic_score: 6.5 },
          },
          losses: { diffloss_d: 8, diffloss_w: dim },
          dataset: crop,
        };
  return { file, kind: 'generator', config };
}

/**
 * The ten single-file checkpoints the seed names (six TA-TiTok tokenizers, four MaskGen generators),
 * with the sizes of the reference's inference configs (bytedance/1d-tokenizer `configs/infer`), so a
 * file needs no YAML beside it. Generators pair with their config's `experiment.tokenizer_checkpoint`.
 */
export const FILE_ZOO: readonly FileZooEntry[] = [
  tokenizer('tatitok_bl32_vq', vqTokenizer(32, true)),
  tokenizer('tatitok_bl64_vq', vqTokenizer(64, true)),
  tokenizer('tatitok_bl128_vq', vqTokenizer(128, true)),
  tokenizer('tatitok_bl32_vae', klTokenizer('base', 32)),
  tokenizer('tatitok_bl64_vae', klTokenizer('base', 64)),
  tokenizer('tatitok_sl128_vae', klTokenizer('small', 128)),
  generator('maskgen_vq_l', 'l', 'vq'),
  generator('maskgen_vq_xl', 'xl', 'vq'),
  generator('maskgen_kl_l', 'l', 'kl'),
  generator('maskgen_kl_xl', 'xl', 'kl'),
];

/** The built-in entry for a checkpoint file, by its base name's stem (`maskgen_vq_xl.bin`, `…/maskgen_vq_xl.safetensors`). */
export function fileZooEntry(file: string): FileZooEntry | undefined {
  const stem = stemOf(file.split('/').pop() ?? file);
  return FILE_ZOO.find((e) => stemOf(e.file) === stem);
}

/** A file name without its last extension. */
export function stemOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 && !file.slice(dot).includes('/') ? file.slice(0, dot) : file;
}
