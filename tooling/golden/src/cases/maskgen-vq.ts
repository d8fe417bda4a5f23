import { type Tensor } from '@maskgen/core';
import { MaskGenVQ } from '@maskgen/sampler';
import { loadCaseClip } from '../golden-clip.js';
import { maskGitKwargs } from '../sampling-kwargs.js';
import type { CallResult, CaseRunner } from '../types.js';

/**
 * Golden case `maskgen_vq`: forward logits, then every recorded `generate` run replayed draw by
 * draw — ids must be exact. The aesthetic score is left unset so the config's value applies, as in
 * the reference (case.json `effective_aesthetic_score`).
 */
export const run: CaseRunner = async (ctx) => {
  const model = await MaskGenVQ.create({ runtime: ctx.runtime, weights: ctx.weights!, config: ctx.config });
  const clip = await loadCaseClip(ctx);
  const results: CallResult[] = [];
  try {
    for (const call of ctx.caseJson.calls) {
      if (call.fn.endsWith('.forward(input_tokens, condition, condition_pooled, aesthetic_score)') || call.name === 'forward') {
        const [ids, cond, pooled, aes] = await Promise.all(call.inputs.map((n: string) => ctx.readIo(n)));
        const logits = await model.forward(ids, cond, pooled, (aes as Tensor<'float32'>).data);
        results.push(await ctx.compare('forward: logits', call.returns[0], logits));
        continue;
      }
      const enc = await clip.encode(call.captions);
      const empty = await clip.encode(['']);
      const rng = await ctx.replay(call.draws);
      const ids = await model.generate({
        condition: enc.penultimate,
        pooled: enc.pooled,
        uncondCondition: empty.penultimate,
        uncondPooled: empty.pooled,
        rng,
        ...maskGitKwargs(call.kwargs),
      });
      results.push(await ctx.compare(`${call.name}: ids`, call.returns[0], ids));
      if (rng.remaining !== 0)
        results.push({ call: `${call.name}: draws`, pass: false, maxAbs: rng.remaining, maxRel: 0, note: `${rng.remaining} recorded draws were not consumed` });
    }
  } finally {
    await Promise.all([model.dispose(), clip.dispose()]);
  }
  return results;
};
