import { type ClipActivation, ClipTextEncoder, ClipTokenizer } from '@maskgen/clip-text';
import type { CallResult, CaseContext, CaseRunner } from '../types.js';

/** Both checkpoint layouts the case ships; each is run with both activations. */
const LAYOUTS = [
  { file: 'weights.safetensors', name: 'open_clip' },
  { file: 'weights_hf.safetensors', name: 'hf' },
] as const;
const ACTIVATIONS: { act: ClipActivation; suffix: string }[] = [
  { act: 'quick-gelu', suffix: '' },
  { act: 'gelu', suffix: '_gelu' },
];

/** The case folder has no vocabulary; use the tokenizer case's when the golden set has it. */
async function siblingTokenizer(ctx: CaseContext, contextLength: number): Promise<ClipTokenizer | undefined> {
  for (const rel of ['bpe_simple_vocab_16e6.txt.gz', '../clip_tokenizer/bpe_simple_vocab_16e6.txt.gz']) {
    const h = await ctx.open(rel).catch(() => undefined);
    if (h) return ClipTokenizer.fromGzip(await h.read(0, h.size), { contextLength });
  }
  return undefined;
}

/**
 * Golden case `clip_text`: the text tower from both key layouts (open_clip and HF names), each
 * with QuickGELU (primary outputs) and exact GELU (`*_gelu` outputs). Prompts are tokenized when a
 * vocabulary is at hand (then `ids` is compared too); otherwise the recorded ids are fed directly.
 */
export const run: CaseRunner = async (ctx) => {
  const ids = await ctx.readIo('ids');
  const tokenizer = await siblingTokenizer(ctx, ids.dims[1]);
  const prompts: string[] = ctx.caseJson.prompts;
  const results: CallResult[] = [];
  if (tokenizer) results.push(await ctx.compare('tokenizer(prompts) ids', 'ids', tokenizer.encodeBatch(prompts)));
  const heads = ctx.config?.text_config?.num_attention_heads === undefined ? ctx.caseJson.model?.heads : undefined;
  for (const layout of LAYOUTS) {
    const weights = await ctx.openSafetensors(layout.file);
    for (const { act, suffix } of ACTIVATIONS) {
      const encoder = await ClipTextEncoder.create({ runtime: ctx.runtime, weights, config: ctx.config, heads, activation: act, tokenizer });
      try {
        const out = tokenizer ? await encoder.encode(prompts) : await encoder.encodeIds(ids);
        results.push(await ctx.compare(`x_penultimate${suffix} [${layout.name}]`, `x_penultimate${suffix}`, out.penultimate));
        results.push(await ctx.compare(`text_guidance${suffix} [${layout.name}]`, `text_guidance${suffix}`, out.final));
        results.push(await ctx.compare(`pooled_embed${suffix} [${layout.name}]`, `pooled_embed${suffix}`, out.pooled));
      } finally {
        await encoder.dispose();
      }
    }
  }
  return results;
};
