import {
  type Activation,
  GraphBuilder,
  type Runtime,
  activation,
  causalMask,
  chunk,
  gatedResidual,
  layerNormFrom,
  linearFrom,
  modulate,
  scaledDotProductAttention,
  tensor,
} from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, refActivations, refAttention, refLayerNorm, refLinear, testData } from './reference-math.js';
import { type FileFactory, weightsFixture } from './weights-fixture.js';

async function run1(runtime: Runtime, g: GraphBuilder, feeds: Record<string, Float32Array>, dims: Record<string, number[]>) {
  const s = await runtime.createSession(g.build());
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, tensor('float32', dims[k], v)])));
    return out;
  } finally {
    await s.dispose();
  }
}

/** Every op and block the graph builder emits, checked against float64 JavaScript references. */
export function opConformance(make: () => Runtime, files: FileFactory): void {
  describe('ops and blocks', () => {
    it('linear (external weights) matches a float64 reference', async () => {
      const { st, data } = await weightsFixture(files, { 'fc.weight': [5, 8], 'fc.bias': [5] });
      const g = new GraphBuilder('linear');
      g.output(linearFrom(g, st, 'fc', g.input('x', 'float32', ['b', 3, 8])), 'y');
      const x = testData(2 * 3 * 8, 3);
      const { y } = await run1(make(), g, { x }, { x: [2, 3, 8] });
      expect(y.dims).toEqual([2, 3, 5]);
      expect(maxAbsDiff(y.data as Float32Array, refLinear(x, 6, 8, data['fc.weight'], 5, data['fc.bias']))).toBeLessThan(1e-5);
    });

    // Both op forms of the same quantised bytes: MatMulNBits, and DequantizeLinear → MatMul (what runtimes without 8-bit MatMulNBits get).
    it.each(['MatMulNBits', 'DequantizeLinear'] as const)(
      'int8 linear (%s on block-quantised weights) stays within its quantisation error bound',
      async (int8Kernel) => {
        // K = 200 is not a whole number of 32-blocks (padding); a layer with fewer than 32 inputs stays float32.
        const [N, K] = [384, 200];
        const { st, data } = await weightsFixture(files, { 'fc.weight': [N, K], 'fc.bias': [N], 'small.weight': [8, 16] });
        const g = new GraphBuilder('linear_int8', { precision: 'int8', int8Kernel });
        g.output(linearFrom(g, st, 'fc', g.input('x', 'float32', ['b', 3, K])), 'y');
        g.output(linearFrom(g, st, 'small', g.input('x2', 'float32', ['b', 16])), 'small');
        const model = g.build();
        // The float copy of the quantised weight is no longer part of the model.
        expect(model.externalData.reduce((s, e) => s + e.usedBytes, 0)).toBe(N * 4 + 8 * 16 * 4 + N * 7 * 32 + N * 7 * 4);
        const xs = testData(2 * 3 * K, 5);
        const x2 = testData(2 * 16, 6);
        const s = await make().createSession(model);
        try {
          const out = await s.run({ x: tensor('float32', [2, 3, K], xs), x2: tensor('float32', [2, 16], x2) });
          expect(out.y.dims).toEqual([2, 3, N]);
          expect(maxAbsDiff(out.small.data as Float32Array, refLinear(x2, 2, 16, data['small.weight'], 8))).toBeLessThan(1e-5);
          const ref = refLinear(xs, 6, K, data['fc.weight'], N, data['fc.bias']);
          // Per output: Σ over 32-blocks of |x|·(weight step / 2) + |w|·(activation step / 2) + the product of the half steps.
          const w = data['fc.weight'];
          let worst = 0;
          for (let r = 0; r < 6; r++) {
            for (let n = 0; n < N; n++) {
              let bound = 1e-5;
              for (let b = 0; b < K; b += 32) {
                let mw = 0;
                let mx = 0;
                for (let k = b; k < Math.min(K, b + 32); k++) [mw, mx] = [Math.max(mw, Math.abs(w[n * K + k])), Math.max(mx, Math.abs(xs[r * K + k]))];
                const [hw, hx] = [mw / 254, mx / 254];
                for (let k = b; k < Math.min(K, b + 32); k++) bound += Math.abs(xs[r * K + k]) * hw + Math.abs(w[n * K + k]) * hx + hw * hx;
              }
              worst = Math.max(worst, Math.abs((out.y.data as Float32Array)[r * N + n] - ref[r * N + n]) / bound);
            }
          }
          expect(worst).toBeLessThanOrEqual(1);
          expect(maxAbsDiff(out.y.data as Float32Array, ref)).toBeGreaterThan(0);
        } finally {
          await s.dispose();
        }
      },
    );

    it('layer norm matches a float64 reference', async () => {
      const { st, data } = await weightsFixture(files, { 'ln.weight': [16], 'ln.bias': [16] });
      const g = new GraphBuilder('ln');
      g.output(layerNormFrom(g, st, 'ln', g.input('x', 'float32', ['b', 16]), 1e-5), 'y');
      const x = testData(4 * 16, 5);
      const { y } = await run1(make(), g, { x }, { x: [4, 16] });
      expect(maxAbsDiff(y.data as Float32Array, refLayerNorm(x, 16, data['ln.weight'], data['ln.bias'], 1e-5))).toBeLessThan(1e-5);
    });

    for (const act of Object.keys(refActivations) as Activation[]) {
      it(`activation ${act} matches a float64 reference`, async () => {
        const g = new GraphBuilder(act);
        g.output(activation(g, g.input('x', 'float32', [64]), act), 'y');
        const x = testData(64, 9).map((v) => v * 4);
        const { y } = await run1(make(), g, { x }, { x: [64] });
        const ref = Array.from(x, refActivations[act]);
        expect(maxAbsDiff(y.data as Float32Array, ref)).toBeLessThan(act === 'gelu-tanh' ? 2e-5 : 1e-5);
      });
    }

    it('chunk, modulate and gated residual follow adaLN semantics', async () => {
      const g = new GraphBuilder('adaln');
      const x = g.input('x', 'float32', [2, 3, 4]);
      const [shift, scale, gate] = chunk(g, g.input('m', 'float32', [2, 12]), 3, 12);
      g.output(gatedResidual(g, x, gate, modulate(g, x, shift, scale)), 'y');
      const xv = testData(24, 11);
      const mv = testData(24, 12);
      const { y } = await run1(make(), g, { x: xv, m: mv }, { x: [2, 3, 4], m: [2, 12] });
      const ref = new Float64Array(24);
      for (let b = 0; b < 2; b++)
        for (let l = 0; l < 3; l++)
          for (let d = 0; d < 4; d++) {
            const xi = xv[(b * 3 + l) * 4 + d];
            const [sh, sc, ga] = [mv[b * 12 + d], mv[b * 12 + 4 + d], mv[b * 12 + 8 + d]];
            ref[(b * 3 + l) * 4 + d] = xi + ga * (xi * (1 + sc) + sh);
          }
      expect(maxAbsDiff(y.data as Float32Array, ref)).toBeLessThan(1e-6);
    });

    for (const masked of [false, true]) {
      it(`multi-head attention${masked ? ' with causal mask' : ''} matches a float64 reference`, async () => {
        const [B, L, H, dh] = [2, 5, 3, 4];
        const g = new GraphBuilder('attn');
        const [q, k, v] = ['q', 'k', 'v'].map((n) => g.input(n, 'float32', [B, L, H * dh]));
        g.output(scaledDotProductAttention(g, q, k, v, { heads: H, headDim: dh, mask: masked ? causalMask(g, L) : null }), 'y');
        const n = B * L * H * dh;
        const [qv, kv, vv] = [testData(n, 21), testData(n, 22), testData(n, 23)];
        const { y } = await run1(make(), g, { q: qv, k: kv, v: vv }, { q: [B, L, H * dh], k: [B, L, H * dh], v: [B, L, H * dh] });
        const mask = masked ? Array.from({ length: L * L }, (_, i) => (i % L > Math.floor(i / L) ? -Infinity : 0)) : undefined;
        expect(maxAbsDiff(y.data as Float32Array, refAttention(qv, kv, vv, B, L, H, dh, mask))).toBeLessThan(1e-5);
      });
    }
  });
}
