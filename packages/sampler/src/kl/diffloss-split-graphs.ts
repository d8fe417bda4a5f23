import {
  GraphBuilder,
  type OnnxModel,
  type SafetensorsFile,
  activation,
  chunk,
  gatedResidualRows,
  gemmFrom,
  layerNorm,
  layerNormFrom,
  modulateRows,
  type GraphOptions,
} from '@maskgen/core';
import type { MaskGenKlSpec } from './kl-config.js';
import { timestepFeatures } from './kl-graphs.js';

/** Input/output names of the two halves of the DiffLoss MLP. */
export const SPLIT_IO = { c: 'c', t: 't', mods: 'mods', x: 'x', out: 'out' } as const;

const P = 'diffloss.net';

/** The reverse-diffusion latents x_t reach 1e5 with random weights: LayerNorms on them need a two-pass variance. */
const LARGE_INPUT_LN = { twoPass: true } as const;

/** Floats per row of adaLN modulations: shift/scale/gate of every res block, then shift/scale of the final layer. */
export function modulationWidth(spec: Pick<MaskGenKlSpec, 'mlpBlocks' | 'mlpWidth'>): number {
  return (3 * spec.mlpBlocks + 2) * spec.mlpWidth;
}

/**
 * The part of SimpleMLPAdaLN that does not depend on x: `adaLN_modulation(silu(t_emb(t) + cond_embed(c)))`
 * of every block, for K timesteps × R condition rows at once → mods [K, R, M]. Within an outer step
 * the rows and the timesteps are known in advance, so one large GEMM replaces the 100 thin ones that
 * would otherwise re-read these weights (most of the MLP) from memory at every reverse step.
 */
export function buildDiffLossModulationGraph(st: SafetensorsFile, spec: MaskGenKlSpec, opts: GraphOptions = {}): OnnxModel {
  const g = new GraphBuilder('maskgen_kl_diffloss_modulation', opts);
  const W = spec.mlpWidth;
  const c = g.input(SPLIT_IO.c, 'float32', ['rows', spec.dim]);
  const t = g.input(SPLIT_IO.t, 'int64', ['steps']);
  const freqDim = st.info(`${P}.time_embed.mlp.0.weight`).dims[1];
  const tEmb = gemmFrom(g, st, `${P}.time_embed.mlp.2`, activation(g, gemmFrom(g, st, `${P}.time_embed.mlp.0`, timestepFeatures(g, t, freqDim)), 'silu'));
  const cEmb = gemmFrom(g, st, `${P}.cond_embed`, c);
  const y = g.op1('Add', [g.op1('Unsqueeze', [tEmb, g.i64([1])]), g.op1('Unsqueeze', [cEmb, g.i64([0])])]);
  const sy = activation(g, g.op1('Reshape', [y, g.i64([-1, W])]), 'silu');
  // All adaLN projections as one GEMM: ORT folds the Concat of the constant weights at session
  // creation, so the rows stream through one [M, W] matrix and no output Concat copies the result.
  const prefixes = [...Array.from({ length: spec.mlpBlocks }, (_, i) => `${P}.res_blocks.${i}.adaLN_modulation.1`), `${P}.final_layer.adaLN_modulation.1`];
  const cat = (kind: 'weight' | 'bias') =>
    g.op1(
      'Concat',
      prefixes.map((p) => g.weight(st, `${p}.${kind}`)),
      { axis: 0 },
    );
  const mods = g.op1('Gemm', [sy, cat('weight'), cat('bias')], { transB: 1 });
  const rows = g.op1('Slice', [g.op1('Shape', [c]), g.i64([0]), g.i64([1])]);
  const shape = g.op1('Concat', [g.i64([-1]), rows, g.i64([modulationWidth(spec)])], { axis: 0 });
  g.output(g.op1('Reshape', [mods, shape]), SPLIT_IO.mods);
  return g.build();
}

/**
 * The x-dependent rest of SimpleMLPAdaLN for one reverse step: x [R, C] under precomputed mods
 * [R, M] → [eps | var] [R, 2C] (input_proj, res blocks with adaLN, final layer), in the reference's
 * operation order.
 */
export function buildDiffLossStepGraph(st: SafetensorsFile, spec: MaskGenKlSpec, opts: GraphOptions = {}): OnnxModel {
  const g = new GraphBuilder('maskgen_kl_diffloss_step', opts);
  const W = spec.mlpWidth;
  const x = g.input(SPLIT_IO.x, 'float32', ['rows', spec.tokenSize]);
  const mods = g.input(SPLIT_IO.mods, 'float32', ['rows', modulationWidth(spec)]);
  const mod = chunk(g, mods, 3 * spec.mlpBlocks + 2, modulationWidth(spec), 1);
  let h = gemmFrom(g, st, `${P}.input_proj`, x);
  for (let i = 0; i < spec.mlpBlocks; i++) {
    const b = `${P}.res_blocks.${i}`;
    const m = modulateRows(g, layerNormFrom(g, st, `${b}.in_ln`, h, 1e-6, LARGE_INPUT_LN), mod[3 * i], mod[3 * i + 1]);
    h = gatedResidualRows(g, h, mod[3 * i + 2], gemmFrom(g, st, `${b}.mlp.2`, activation(g, gemmFrom(g, st, `${b}.mlp.0`, m), 'silu')));
  }
  const k = 3 * spec.mlpBlocks;
  const normed = layerNorm(g, h, null, null, 1e-6, W, LARGE_INPUT_LN);
  g.output(gemmFrom(g, st, `${P}.final_layer.linear`, modulateRows(g, normed, mod[k], mod[k + 1])), SPLIT_IO.out);
  return g.build();
}
