import { type Tensor, tensor } from '@maskgen/core';
import { MaskGenKL } from '@maskgen/sampler';
import { loadCaseClip } from '../golden-clip.js';
import { SCHEDULE_ARRAYS, marKwargs } from '../sampling-kwargs.js';
import type { CallResult, CaseContext, CaseRunner } from '../types.js';

async function sampleCall(ctx: CaseContext, model: MaskGenKL, call: any, clip: Awaited<ReturnType<typeof loadCaseClip>>): Promise<CallResult> {
  const enc = await clip.encode(call.captions);
  const empty = await clip.encode(['']);
  const tokens = await model.sample({
    condition: enc.penultimate,
    pooled: enc.pooled,
    uncondCondition: empty.penultimate,
    uncondPooled: empty.pooled,
    rng: await ctx.replay(call.draws),
    ...marKwargs(call.kwargs),
  });
  return ctx.compare(`${call.name}: tokens`, call.returns[0], tokens);
}

/**
 * Golden cases `maskgen_kl` and `maskgen_kl_steps100`: condition embedding with the micro-condition,
 * forward_mae_decoder, the DiffLoss MLP (plain and CFG), every schedule array (float64), and each
 * sample_tokens run replayed draw by draw.
 */
export const run: CaseRunner = async (ctx) => {
  const model = await MaskGenKL.create({ runtime: ctx.runtime, weights: ctx.weights!, config: ctx.config });
  const clip = await loadCaseClip(ctx);
  const r: CallResult[] = [];
  try {
    for (const call of ctx.caseJson.calls) {
      if (call.name === 'cond') {
        const [c, p, aes] = await Promise.all(call.inputs.map((n: string) => ctx.readIo(n)));
        const scores = (aes as Tensor<'float32'>).data;
        r.push(await ctx.compare('cond: micro_condition', 'cond.micro_condition', model.microCondition(scores)));
        const e = await model.embedCondition(c, p, scores);
        r.push(await ctx.compare('cond: condition_embedded', 'cond.condition_embedded', e.condition));
        r.push(await ctx.compare('cond: condition_pooled_embedded', 'cond.condition_pooled_embedded', e.pooled));
      } else if (call.name === 'mae') {
        const [tok, mask, c, p] = await Promise.all(call.inputs.map((n: string) => ctx.readIo(n)));
        r.push(await ctx.compare('mae: z', 'mae.z', await model.forwardMae(tok, mask, c, p)));
      } else if (call.name === 'mlp') {
        const [x, t, c] = await Promise.all(call.inputs.map((n: string) => ctx.readIo(n)));
        r.push(await ctx.compare('mlp: forward', 'mlp.out', tensor('float32', [x.dims[0], 2 * x.dims[1]], await model.mlpForward(x, t, c))));
        r.push(
          await ctx.compare(
            'mlp: forward_with_cfg(2.5)',
            'mlp.out_cfg',
            tensor('float32', [x.dims[0], 2 * x.dims[1]], await model.mlpForwardCfg(x, t, c, 2.5)),
          ),
        );
      } else if (call.name === 'schedule') {
        for (const [io, key] of Object.entries(SCHEDULE_ARRAYS)) {
          if (!ctx.io.has(`schedule.${io}`)) continue;
          r.push(await ctx.compare(`schedule: ${io}`, `schedule.${io}`, Array.from(model.schedule[key] as ArrayLike<number>)));
        }
      } else if (call.draws) {
        r.push(await sampleCall(ctx, model, call, clip));
      }
    }
  } finally {
    await Promise.all([model.dispose(), clip.dispose()]);
  }
  return r;
};
