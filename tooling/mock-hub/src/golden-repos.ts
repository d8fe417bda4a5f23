import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
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
  /** The reference's single-file repo: serves `checkpoint_formats/` (when the golden set has it). */
  files: 'fun-research/TA-TiTok',
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
    ...(existsSync(g('checkpoint_formats')) ? { [GOLDEN_IDS.files]: { dir: repoDir(root, 'files', formatFiles(g('checkpoint_formats'))) } } : {}),
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

/**
 * `checkpoint_formats/` as a hub repo of single files, plus each YAML's `experiment.tokenizer_checkpoint`
 * name (`golden_tatitok_vq.bin`, with its YAML) where that tokenizer's file exists, so a generator file
 * pairs with its tokenizer the way the reference's configs say.
 */
function formatFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) if (/\.(bin|yaml)$/.test(name)) files[name] = join(dir, name);
  for (const name of Object.keys(files).filter((n) => n.endsWith('.yaml'))) {
    const tok = /tokenizer_checkpoint:\s*"?([\w.-]+?)\.bin"?\s*$/m.exec(readFileSync(join(dir, name), 'utf8'))?.[1];
    const real = tok?.replace(/^golden_/, '');
    if (tok && real && tok !== real && files[`${real}.bin`] && files[`${real}.yaml`]) {
      files[`${tok}.bin`] = files[`${real}.bin`];
      files[`${tok}.yaml`] = files[`${real}.yaml`];
    }
  }
  return files;
}

/** Default location of the golden data relative to the repo root (../shared/golden). */
export function defaultGoldenDir(repoRoot: string): string {
  return resolve(repoRoot, '..', 'shared', 'golden');
}
