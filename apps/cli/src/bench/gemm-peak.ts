import { GraphBuilder, type Runtime, tensor } from '@maskgen/core';
import { timeIt } from './timing.js';

/** GEMM shapes [M, K, N] tried for the peak: square, and the transformer-like tall-skinny ones the models run. */
const SHAPES: [number, number, number][] = [
  [2048, 2048, 2048],
  [512, 1024, 4096],
  [512, 4096, 1024],
];

async function gemmGflops(runtime: Runtime, [m, k, n]: [number, number, number]): Promise<number> {
  const g = new GraphBuilder('gemm_peak');
  const fill = (len: number) => Float32Array.from({ length: len }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  g.output(g.op1('MatMul', [g.input('a', 'float32', [m, k]), g.constant(tensor('float32', [k, n], fill(k * n)))]), 'y');
  const session = await runtime.createSession(g.build());
  const a = tensor('float32', [m, k], fill(m * k));
  try {
    const { medianMs } = await timeIt(() => session.run({ a }), { warmup: 2, runs: 7 });
    return (2 * m * k * n) / (medianMs / 1000) / 1e9;
  } finally {
    await session.dispose();
  }
}

/**
 * This machine's float32 GEMM throughput through the same runtime, measured in the same run as the
 * model benchmarks so "achieved GFLOP/s" is compared against a peak taken under the same load: the
 * best of a few shapes (median of 7 runs each), since no single shape reaches the best kernel speed.
 */
export async function measureGemmPeak(runtime: Runtime, shapes = SHAPES): Promise<{ gflops: number; byShape: Record<string, number> }> {
  const byShape: Record<string, number> = {};
  for (const s of shapes) byShape[s.join('x')] = await gemmGflops(runtime, s);
  return { gflops: Math.max(...Object.values(byShape)), byShape };
}
