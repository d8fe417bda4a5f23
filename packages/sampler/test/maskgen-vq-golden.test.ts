import { type Tensor, toFloat32, toNumbers } from '@maskgen/core';
import { nodeRuntime } from '@maskgen/runtime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskGenVQ } from '../src/index.js';
import { maskGitKwargs, openSamplerCase, tracedConditions } from './goldens.js';

type VqCase = Awaited<ReturnType<typeof openSamplerCase>>;

describe('MaskGen-VQ against the maskgen_vq golden (runtime-node)', () => {
  let c: VqCase;
  let model: MaskGenVQ;
  beforeAll(async () => {
    c = await openSamplerCase('maskgen_vq');
    model = await MaskGenVQ.create({ runtime: nodeRuntime({ threads: 1 }), weights: c.weights, config: c.config });
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('reads its shape from config + weights', () => {
    const mg = c.config.model.maskgen;
    expect(model.spec).toMatchObject({
      dim: mg.decoder_embed_dim,
      heads: mg.decoder_num_heads,
      depth: mg.decoder_depth,
      codebookSize: 64,
      numTokens: 16,
      configAestheticScore: 6.5,
      maskSchedule: 'arccos',
    });
  });

  it('forward logits match within the case tolerance', async () => {
    const call = c.caseJson.calls.find((x: { name: string }) => x.name === 'forward');
    const [ids, cond, pooled, aes] = await Promise.all(call.inputs.map((n: string) => c.io.read(n)));
    const out = await model.forward(ids, cond, pooled, toFloat32(aes as Tensor));
    const want = toFloat32(await c.io.read(call.returns[0]));
    const { atol, rtol } = c.caseJson.io[call.returns[0]].tolerance;
    expect(out.dims).toEqual(c.caseJson.io[call.returns[0]].shape);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(out.data[i] - want[i]) - (atol + rtol * Math.abs(want[i])));
    expect(worst).toBeLessThanOrEqual(0);
  });

  it('every recorded generate run replays to the exact ids, step by step, consuming every draw', async () => {
    for (const call of c.samples) {
      const rng = await c.replay(call.draws);
      const steps: { ids: number[]; predicted: number[] }[] = [];
      const ids = await model.generate({
        ...(await tracedConditions(c, call)),
        ...maskGitKwargs(call.kwargs),
        rng,
        onStep: (_s, _t, cur, pred) => steps.push({ ids: toNumbers(cur), predicted: toNumbers(pred) }),
      });
      expect(rng.remaining, call.name).toBe(0);
      expect(toNumbers(ids), call.name).toEqual(toNumbers(await c.io.read(call.returns[0])));
      expect(steps.length).toBe(call.kwargs.num_sample_steps);
      for (let s = 0; s < steps.length; s++) {
        const key = `${call.name}.step${String(s).padStart(2, '0')}`;
        expect(steps[s].ids, `${key}.ids`).toEqual(toNumbers(await c.trace.read(`${key}.ids`)));
        expect(steps[s].predicted, `${key}.sampled_ids`).toEqual(toNumbers(await c.trace.read(`${key}.sampled_ids`)));
      }
    }
  });

  it('uses the config aesthetic score by default, like the reference (passing it explicitly is the same run)', async () => {
    const call = c.samples[0];
    const aes = toFloat32(await c.trace.read(`${call.name}.aesthetic_score_used`));
    expect(Array.from(new Set(aes))).toEqual([c.config.model.maskgen.sample_aesthetic_score]);
    expect(call.kwargs.sample_aesthetic_score).not.toBe(c.config.model.maskgen.sample_aesthetic_score);
    const ids = await model.generate({
      ...(await tracedConditions(c, call)),
      ...maskGitKwargs(call.kwargs),
      rng: await c.replay(call.draws),
      aestheticScore: aes[0],
    });
    expect(toNumbers(ids)).toEqual(toNumbers(await c.io.read(call.returns[0])));
  });
});
