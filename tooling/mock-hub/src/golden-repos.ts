import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MockRepo } from './types.js';

/** Hub ids under which the golden checkpoints are served, as if they were the released repos. */
export const GOLDEN_IDS = {
  vqGenerator: 'turkeyju/generator_maskgen_vq_xl',
  vqTokenizer: 'turkeyju/tokenizer_tatitok_bl128_vq',
  klGenerator: 'turkeyju/generator_maskgen_kl_xl',
  klTokenizer: 'turkeyju/tokenizer_tatitok_bl32_vae',
  clip: 'openai/clip-vit-large-patch14-336',
} as const;

function repoDir(root: string, name: string, files: Record<string, string>, config?: unknown): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [to, from] of Object.entries(files)) symlinkSync(resolve(from), join(dir, to));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/**
 * The golden checkpoints laid out as hub repos (config.json + model.safetensors, CLIP in HF layout with
 * open_clip's vocabulary). The tiny tokenizers' configs name made-up ViT sizes; their head counts (from
 * case.json) are added as `vit_enc_num_heads`/`vit_dec_num_heads`, which the loader accepts.
 */
export function goldenRepos(goldenDir: string): Record<string, MockRepo> {
  const root = mkdtempSync(join(tmpdir(), 'maskgen-golden-repos-'));
  const g = (p: string) => join(goldenDir, p);
  const withHeads = (caseDir: string) => {
    const config = JSON.parse(readFileSync(g(`${caseDir}/config.json`), 'utf8'));
    const model = JSON.parse(readFileSync(g(`${caseDir}/case.json`), 'utf8')).model ?? {};
    config.model.vq_model.vit_enc_num_heads = model.encoder?.num_heads;
    config.model.vq_model.vit_dec_num_heads = model.decoder?.num_heads;
    return config;
  };
  const model = (caseDir: string) => ({ 'model.safetensors': g(`${caseDir}/weights.safetensors`) });
  const plain = (caseDir: string) => ({ ...model(caseDir), 'config.json': g(`${caseDir}/config.json`) });
  return {
    [GOLDEN_IDS.vqGenerator]: { dir: repoDir(root, 'vq-gen', plain('maskgen_vq')) },
    [GOLDEN_IDS.vqTokenizer]: { dir: repoDir(root, 'vq-tok', model('tatitok_vq'), withHeads('tatitok_vq')) },
    [GOLDEN_IDS.klGenerator]: { dir: repoDir(root, 'kl-gen', plain('maskgen_kl')) },
    [GOLDEN_IDS.klTokenizer]: { dir: repoDir(root, 'kl-tok', model('tatitok_vae'), withHeads('tatitok_vae')) },
    [GOLDEN_IDS.clip]: {
      dir: repoDir(root, 'clip', {
        'config.json': g('clip_text/config.json'),
        'model.safetensors': g('clip_text/weights_hf.safetensors'),
        'bpe_simple_vocab_16e6.txt.gz': g('clip_tokenizer/bpe_simple_vocab_16e6.txt.gz'),
      }),
    },
  };
}

/** Default location of the golden data relative to the repo root (../shared/golden). */
export function defaultGoldenDir(repoRoot: string): string {
  return resolve(repoRoot, '..', 'shared', 'golden');
}
