import { GraphBuilder, type Runtime, tensor } from '@maskgen/core';
import { timeIt } from './measure.js';

/**
 * This machine's float32 GEMM throughput through the same runtime, measured in the same run as the
 * model benchmarks, so "achieved GFLOP/s" is compared against a peak taken under the same load.
 */
export async function measureGemmPeak(runtime: Runtime, n = 2048): Promise<{ gflops: number; ms: number }> {
  const g = new GraphBuilder('gemm_peak');
  const b = new Float32Array(n * n);
  for (let i = 0; i < b.length; i++) b[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  const w = g.constant(tensor('float32', [n, n], b));
  g.output(g.op1('MatMul', [g.input('a', 'float32', [n, n]), w]), 'y');
  const session = await runtime.createSession(g.build());
  const a = tensor('float32', [n, n], b.slice());
  try {
    const { medianMs } = await timeIt(() => session.run({ a }), { warmup: 1, runs: 5 });
    return { gflops: (2 * n ** 3) / (medianMs / 1000) / 1e9, ms: medianMs };
  } finally {
    await session.dispose();
  }
}
