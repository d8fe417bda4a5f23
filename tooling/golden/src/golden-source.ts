import { MaskgenError, type ModelSource } from '@maskgen/core';
import type { CaseContext } from './types.js';

/** Repo files served from golden case folders: repo-relative name → path relative to the case folder. */
export type GoldenRepos = Record<string, Record<string, string>>;

/**
 * A pipeline source over golden sibling folders, so e2e cases run the same `createTextToImage`
 * path users take with real repos (config.json + model.safetensors per repo).
 */
export function goldenSource(ctx: CaseContext, repos: GoldenRepos): (repoId: string) => ModelSource {
  return (repoId) => {
    const files = repos[repoId];
    if (!files) throw new MaskgenError('NOT_FOUND', `golden source: no repo ${repoId}`);
    return {
      id: `golden:${repoId}`,
      async open(file) {
        const rel = files[file];
        if (!rel) throw new MaskgenError('NOT_FOUND', `golden source: ${repoId} has no ${file}`);
        return ctx.open(rel);
      },
      async exists(file) {
        return file in files;
      },
    };
  };
}

/** The CLIP repo of the goldens: the tiny text tower (HF layout) and the real vocabulary. */
export const GOLDEN_CLIP: Record<string, string> = {
  'config.json': '../clip_text/config.json',
  'model.safetensors': '../clip_text/weights.safetensors',
  'bpe_simple_vocab_16e6.txt.gz': '../clip_tokenizer/bpe_simple_vocab_16e6.txt.gz',
};

/** A golden model folder as a repo. */
export function goldenRepo(dir: string): Record<string, string> {
  return { 'config.json': `${dir}/config.json`, 'model.safetensors': `${dir}/weights.safetensors` };
}
