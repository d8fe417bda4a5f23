import { GraphBuilder, type Runtime, tensor, toFloat32 } from '@maskgen/core';
import type { BackendInfo, SelfTestResult } from './protocol.js';

const N = 96;

/** Small integers, so the float32 products and sums below are exact on every backend. */
function operand(seed: number): Float32Array {
  const out = new Float32Array(N * N);
  for (let i = 0; i < out.length; i++) out[i] = ((i * 7 + seed * 13) % 9) - 4;
  return out;
}

function referenceMatMul(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < N; k++) {
      const av = a[i * N + k];
      for (let j = 0; j < N; j++) out[i * N + j] += av * b[k * N + j];
    }
  }
  return out;
}

/**
 * Proves the backend works before any model is downloaded: the ORT wasm/mjs files load from the
 * app's own origin, threads start, and a MatMul + Relu graph built by core's GraphBuilder runs in
 * this worker with the exact result.
 */
export async function runSelfTest(runtime: Runtime, backend: BackendInfo): Promise<SelfTestResult> {
  const t0 = performance.now();
  const g = new GraphBuilder('demo-selftest');
  const a = g.input('a', 'float32', [N, N]);
  const b = g.input('b', 'float32', [N, N]);
  g.output(g.op1('Relu', [g.op1('MatMul', [a, b])]), 'y', 'float32', [N, N]);
  const session = await runtime.createSession(g.build());
  try {
    const av = operand(1);
    const bv = operand(2);
    const out = await session.run({ a: tensor('float32', [N, N], av), b: tensor('float32', [N, N], bv) });
    const y = toFloat32(out.y);
    const ref = referenceMatMul(av, bv).map((v) => Math.max(0, v));
    let maxAbsDiff = 0;
    for (let i = 0; i < ref.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(y[i] - ref[i]));
    return { ok: y.length === ref.length && maxAbsDiff === 0, maxAbsDiff, ms: performance.now() - t0, backend };
  } finally {
    await session.dispose();
  }
}
