import { ClipTokenizer } from '@maskgen/clip-text';
import type { CaseRunner } from '../types.js';

/**
 * Golden case `clip_tokenizer`: open_clip's tokenizer built from the case's own
 * bpe_simple_vocab_16e6.txt.gz, run on prompts.json; every id must match exactly.
 */
export const run: CaseRunner = async (ctx) => {
  const { prompts } = (await ctx.readJson('prompts.json')) as { prompts: string[] };
  const vocab = await ctx.open('bpe_simple_vocab_16e6.txt.gz');
  const contextLength = ctx.io.info('ids').dims[1];
  const tokenizer = await ClipTokenizer.fromGzip(await vocab.read(0, vocab.size), { contextLength });
  return [await ctx.compare('tokenizer(prompts) ids', 'ids', tokenizer.encodeBatch(prompts))];
};
