import { type Rng, SeededRng, type Tensor, tensor, toNumbers } from '@maskgen/core';
import { expectMaskgenError } from '@maskgen/test-utils';
import { describe, expect, it } from 'vitest';
import { type MarModel, type MaskGitModel, maskGitGenerate, marSample, maskingRatio } from '../src/index.js';
import { respacedSchedule } from '../src/kl/gaussian-diffusion.js';

/**
 * The samplers' schedule, CFG and ordering logic on scripted models: no runtime, no checkpoint. The
 * golden replays (maskgen-vq-golden, kl-sampler, `pnpm golden`) run the same code on the real models.
 */

/** Seeded draws, with every call's kind and shape logged. */
function recordingRng(seed: number): Rng & { log: string[] } {
  const r = new SeededRng(seed);
  const log: string[] = [];
  return {
    log,
    uniform: (dims, lo, hi) => (log.push(`uniform ${dims.join('x')}`), (r as Rng).uniform(dims, lo, hi)),
    normal: (dims, o) => (log.push(`${o?.like ? 'randn_like' : 'randn'} ${dims.join('x')}`), (r as Rng).normal(dims, o)),
    shuffle: (n) => (log.push(`shuffle ${n}`), r.shuffle(n)),
  };
}

/** Prompt rows carry +1 in their condition, the empty prompt −1, so a scripted forward can tell them apart. */
function conditions(B: number) {
  const t = (rows: number, v: number) => tensor('float32', [rows, 1, 1], new Array(rows).fill(v));
  return { condition: t(B, 1), pooled: t(B, 1), uncondCondition: t(1, -1), uncondPooled: t(1, -1) };
}

const N = 6;
const V = 5;

/** A MaskGIT model whose logits are `logit(prompt row?, position, token)`; it records what it was fed. */
function scriptedVq(logit: (cond: boolean, pos: number, v: number) => number) {
  const fed: { rows: number; ids: number[]; aes: number[] }[] = [];
  const model: MaskGitModel = {
    spec: { numTokens: N, codebookSize: V, configAestheticScore: 6.5, maskSchedule: 'arccos' },
    async forward(ids, condition, _pooled, aes) {
      const R = ids.dims[0];
      fed.push({ rows: R, ids: toNumbers(ids), aes: Array.from(aes) });
      const out = new Float32Array(R * N * V);
      for (let r = 0; r < R; r++) for (let p = 0; p < N; p++) for (let v = 0; v < V; v++) out[(r * N + p) * V + v] = logit(Number(condition.data[r]) > 0, p, v);
      return tensor('float32', [R, N, V], out);
    },
  };
  return { model, fed };
}

describe('MaskGIT on a scripted forward', () => {
  it('runs cond and uncond as one batch of 2B and mixes them as cond + s·(cond − uncond); one batch at scale 0', async () => {
    // Token 1 wins unguided; guidance toward what the prompt adds (token 2: +0.9 over "") flips it.
    const { model, fed } = scriptedVq((cond, _p, v) => (v === 1 ? 1 : v === 2 && cond ? 0.9 : 0));
    const run = (guidanceScale: number) =>
      maskGitGenerate(model, {
        ...conditions(2),
        rng: new SeededRng(1),
        steps: 3,
        guidanceScale,
        guidanceDecay: 'none',
        randomizeTemperature: 0,
        probSorting: false,
      }).then(toNumbers);
    expect(await run(3)).toEqual(new Array(2 * N).fill(2));
    expect(fed.map((f) => f.rows)).toEqual([4, 4, 4]);
    fed.length = 0;
    expect(await run(0)).toEqual(new Array(2 * N).fill(1));
    expect(fed.map((f) => f.rows)).toEqual([2, 2, 2]);
    expect(fed.every((f) => f.aes.every((a) => a === 6.5))).toBe(true);
  });

  it('re-masks floor(N · schedule) of the least confident tokens after each step, and draws uniform [B,N,V] then [B,N] per step', async () => {
    // Confidence rises with the position, so the low positions stay masked longest.
    const { model } = scriptedVq((_c, p, v) => (v === p % V ? p : 0));
    const masked: number[][] = [];
    const rng = recordingRng(4);
    const steps = 4;
    await maskGitGenerate(model, {
      ...conditions(1),
      rng,
      steps,
      guidanceScale: 0,
      randomizeTemperature: 0,
      onStep: (_s, _t, ids) => masked.push(toNumbers(ids).flatMap((v, i) => (v === V ? [i] : []))),
    });
    for (let s = 0; s < steps - 1; s++) {
      const want = Math.max(1, Math.min(N - 1, Math.floor(Math.fround(N * maskingRatio((s + 1) / steps, 'arccos')))));
      expect(masked[s]).toEqual(Array.from({ length: want }, (_, i) => i));
    }
    expect(masked[steps - 1]).toEqual([]);
    expect(rng.log).toEqual(Array.from({ length: steps }, () => [`uniform 1x${N}x${V}`, `uniform 1x${N}`]).flat());
  });

  it('never changes the tokens initialIds keeps, and feeds them to every forward', async () => {
    const { model, fed } = scriptedVq((_c, p, v) => (v === (p + 3) % V ? 2 : 0));
    const init = [4, V, 0, V, V, 1];
    const ids = toNumbers(await maskGitGenerate(model, { ...conditions(1), rng: new SeededRng(2), steps: 3, initialIds: tensor('int64', [1, N], init) }));
    init.forEach((v, i) => (v === V ? expect(ids[i]).toBeLessThan(V) : expect(ids[i]).toBe(v)));
    for (const f of fed) for (const i of [0, 2, 5]) expect(f.ids[i]).toBe(init[i]);
  });
});

const L = 8;
const C = 2;
const D = 3;

/** A MAR model with zero noise prediction; it records the masks and token rows it was fed. */
function scriptedKl() {
  const fed: { rows: number; mask: number[]; tokens: Float32Array }[] = [];
  const modRows: number[] = [];
  const spec: MarModel['spec'] = {
    dim: D,
    tokenSize: C,
    mlpWidth: 2,
    mlpBlocks: 1,
    seqLen: L,
    scaleFactor: 0.75,
    textEmbedDim: 1,
    defaults: { cfg: 3, cfgSchedule: 'linear', numIter: 4, temperature: 1, aestheticScore: 6.5 },
  };
  const model: MarModel = {
    spec,
    schedule: respacedSchedule('3'),
    async embedCondition(condition, pooled) {
      return { condition: condition as Tensor<'float32'>, pooled: tensor('float32', [pooled.dims[0], 1, D], new Float32Array(pooled.dims[0] * D)) };
    },
    async forwardMae(tokens, mask) {
      fed.push({ rows: mask.dims[0], mask: toNumbers(mask), tokens: (tokens.data as Float32Array).slice() });
      return tensor('float32', [tokens.dims[0], L, D], new Float32Array(tokens.dims[0] * L * D));
    },
    async diffusionModulations(z, t) {
      modRows.push(z.dims[0]);
      return new Float32Array(t.dims[0] * z.dims[0] * 5 * 2);
    },
    async diffusionStep(x) {
      return new Float32Array(x.dims[0] * 2 * C);
    },
  };
  return { model, fed, modRows };
}

describe('MAR on a scripted forward', () => {
  it('reveals tokens in the shuffled order, leaving floor(L · cos(π/2 · step/iters)) masked', async () => {
    const { model, fed } = scriptedKl();
    const order = Array.from(new SeededRng(6).shuffle(L));
    await marSample(model, { ...conditions(1), rng: new SeededRng(6), numIter: 4, cfg: 1 });
    for (let s = 1; s < 4; s++) {
      const want = Math.max(1, Math.floor(L * Math.cos(((Math.PI / 2) * s) / 4)));
      const maskedNow = fed[s].mask.flatMap((m, i) => (m ? [i] : []));
      expect(maskedNow.sort()).toEqual(order.slice(0, want).sort());
    }
  });

  it('guides with cond and uncond rows as one batch (2B decoder rows, 2n diffusion rows) and not at all at cfg 1', async () => {
    const guided = scriptedKl();
    await marSample(guided.model, { ...conditions(2), rng: new SeededRng(1), numIter: 3, cfg: 4 });
    expect(guided.fed.map((f) => f.rows)).toEqual([4, 4, 4]);
    const plain = scriptedKl();
    await marSample(plain.model, { ...conditions(2), rng: new SeededRng(1), numIter: 3, cfg: 1 });
    expect(plain.fed.map((f) => f.rows)).toEqual([2, 2, 2]);
    expect(guided.modRows).toEqual(plain.modRows.map((r) => 2 * r));
  });

  it('draws the orders first, then randn for the start and randn_like per reverse step of every outer step', async () => {
    const { model } = scriptedKl();
    const rng = recordingRng(3);
    await marSample(model, { ...conditions(1), rng, numIter: 2, cfg: 1 });
    const S = model.schedule.betas.length;
    const perStep = (n: number) => [`randn ${n}x${C}`, ...new Array(S).fill(`randn_like ${n}x${C}`)];
    const first = L - Math.floor(L * Math.cos(Math.PI / 4));
    expect(rng.log).toEqual([`shuffle ${L}`, ...perStep(first), ...perStep(L - first)]);
  });

  it('editing: keeps the given latents bit for bit, feeds them scaled and unmasked, and runs the schedule over the rest', async () => {
    const { model, fed } = scriptedKl();
    const latents = tensor(
      'float32',
      [1, C, 1, L],
      Array.from({ length: C * L }, (_, i) => 0.1 + i / 7),
    );
    const keep = [1, 0, 0, 1, 0, 0, 0, 1];
    const out = await marSample(model, { ...conditions(1), rng: new SeededRng(8), numIter: 3, cfg: 2, initial: { latents, keep } });
    for (let l = 0; l < L; l++) for (let c = 0; c < C; c++) if (keep[l]) expect(Object.is(out.data[c * L + l], latents.data[c * L + l])).toBe(true);
    for (const f of fed) {
      for (let l = 0; l < L; l++) if (keep[l]) expect([f.mask[l], f.tokens[l * C]]).toEqual([0, Math.fround(latents.data[l] * Math.fround(0.75))]);
    }
    // Five generated positions, three steps: floor(5 · cos(π/6)) = 4 stay masked after the first, 2 after the second.
    expect(fed.map((f) => f.mask.slice(0, L).reduce((a, m) => a + m, 0))).toEqual([5, 4, 2]);
  });

  it('editing with nothing kept is plain sampling for the same seed; keeping everything returns the input untouched', async () => {
    const latents = tensor(
      'float32',
      [1, C, 1, L],
      Array.from({ length: C * L }, (_, i) => i - 3.5),
    );
    const a = await marSample(scriptedKl().model, { ...conditions(1), rng: new SeededRng(5), numIter: 3 });
    const b = await marSample(scriptedKl().model, { ...conditions(1), rng: new SeededRng(5), numIter: 3, initial: { latents, keep: new Array(L).fill(0) } });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    const all = scriptedKl();
    const c = await marSample(all.model, { ...conditions(1), rng: new SeededRng(5), initial: { latents, keep: new Array(L).fill(1) } });
    expect(Array.from(c.data)).toEqual(Array.from(latents.data));
    expect(all.fed).toEqual([]);
  });

  it('rejects an initial state of the wrong shape or with rows keeping different counts', async () => {
    const { model } = scriptedKl();
    const latents = tensor('float32', [2, C, 1, L], new Float32Array(2 * C * L));
    const run = (initial: object) => marSample(model, { ...conditions(2), rng: new SeededRng(1), initial: initial as never });
    await expectMaskgenError(
      run({ latents: tensor('float32', [1, C, 1, L], new Float32Array(C * L)), keep: new Array(2 * L).fill(0) }),
      'INVALID_ARGUMENT',
      /initial\.latents: expected float32 \[2,2,1,8\]/,
    );
    await expectMaskgenError(run({ latents, keep: [1] }), 'INVALID_ARGUMENT', /initial\.keep: expected 16 flags/);
    await expectMaskgenError(run({ latents, keep: [1, ...new Array(2 * L - 1).fill(0)] }), 'INVALID_ARGUMENT', /row 0 keeps 1 and row 1 keeps 0/);
  });
});
