import { ClipTextEncoder, ClipTokenizer } from '@maskgen/clip-text';
import type { CaseContext } from './types.js';

/**
 * The tiny CLIP text tower of `../clip_text` with QuickGELU — what the sampling and e2e cases were
 * recorded with (case.json `clip`/`uses` say so) — and the vocabulary of `../clip_tokenizer`.
 */
export async function loadCaseClip(ctx: CaseContext, dir = '../clip_text'): Promise<ClipTextEncoder> {
  const config = await ctx.readJson(`${dir}/config.json`);
  const weights = await ctx.openSafetensors(`${dir}/weights.safetensors`);
  const gz = await ctx.open('../clip_tokenizer/bpe_simple_vocab_16e6.txt.gz');
  const tokenizer = await ClipTokenizer.fromGzip(await gz.read(0, gz.size));
  return ClipTextEncoder.create({ runtime: ctx.runtime, weights, config, tokenizer, activation: 'quick-gelu' });
}
