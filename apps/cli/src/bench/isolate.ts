import { spawn } from 'node:child_process';
import { MaskgenError, type Runtime, type WeightPrecision, isMaskgenError } from '@maskgen/core';
import type { ComponentOptions } from './component.js';
import { COMPONENTS } from './components.js';
import { measureGemmPeak } from './gemm-peak.js';
import { peakRss, timeIt } from './measure.js';

/** Environment variable that turns a `maskgen bench` process into the runner of one component. */
export const CHILD_ENV = 'MASKGEN_BENCH_CHILD';

/** What one component measured, as the child reports it to the parent. */
export interface ComponentResult {
  key: string;
  name: string;
  params: number;
  flops: number;
  weightBytes: number;
  buildMs: number;
  firstRunMs: number;
  medianMs: number;
  runsMs: number[];
  /** Images per timed call (batch components; absent = 1). */
  images?: number;
  peakRssBytes: number;
  parts?: Record<string, { ms: number; flops: number }>;
  precision: WeightPrecision;
  /** GEMM peak measured in the component's own process right after its timed runs (the machine's load drifts). */
  gemmPeakGflops: number;
  /** int8 only: the component's output against the same call in float32 (relative RMS error, largest difference). */
  vsFloat32?: { relRms: number; maxAbs: number; maxRef: number };
  /** Why there is no float32 comparison (float32 does not fit where int8 does, e.g. runtime-web's memory). */
  vsFloat32Unavailable?: string;
}

/** How far `a` is from the reference `b`: ‖a − b‖ / ‖b‖, and the largest elementwise difference. */
export function compareOutputs(a: Float32Array, b: Float32Array): { relRms: number; maxAbs: number; maxRef: number } {
  let d2 = 0;
  let b2 = 0;
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < b.length; i++) {
    const d = a[i] - b[i];
    d2 += d * d;
    b2 += b[i] * b[i];
    maxAbs = Math.max(maxAbs, Math.abs(d));
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  return { relRms: Math.sqrt(d2 / (b2 || 1)), maxAbs: a.length === b.length ? maxAbs : Number.NaN, maxRef };
}

/** Builds and times one component in this process (the child side). */
export async function measureComponent(
  key: string,
  runtime: Runtime,
  dir: string,
  runs: number,
  precision: WeightPrecision = 'float32',
  opts: ComponentOptions = {},
): Promise<ComponentResult> {
  const c = COMPONENTS[key](opts);
  let t = performance.now();
  const p = await c.setup(runtime, dir, precision);
  const buildMs = performance.now() - t;
  let result: ComponentResult;
  let out: Float32Array | undefined;
  try {
    t = performance.now();
    await p.run();
    const firstRunMs = performance.now() - t;
    const { medianMs, runsMs } = await timeIt(p.run, { warmup: 0, runs });
    const peakRssBytes = peakRss();
    // Right after the runs, under the same load, and after the RSS reading so its buffers do not count.
    const peak = await measureGemmPeak(runtime, [
      [512, 4096, 1024],
      [512, 1024, 4096],
    ]);
    result = {
      key,
      name: c.name,
      params: c.params,
      flops: c.flops,
      ...(c.images && c.images > 1 ? { images: c.images } : {}),
      weightBytes: p.weightBytes,
      buildMs,
      firstRunMs,
      medianMs,
      runsMs,
      peakRssBytes,
      parts: p.parts?.(),
      precision,
      gemmPeakGflops: peak.gflops,
    };
    if (precision !== 'float32' && p.output) out = (await p.output()).slice();
  } finally {
    await p.dispose();
  }
  if (out) {
    const ref = await c.setup(runtime, dir, 'float32').catch((e: unknown) => {
      if (isMaskgenError(e, 'RUNTIME_LIMIT')) return e.message;
      throw e;
    });
    if (typeof ref === 'string') {
      result.vsFloat32Unavailable = ref;
    } else {
      try {
        result.vsFloat32 = compareOutputs(out, await ref.output!());
      } finally {
        await ref.dispose();
      }
    }
  }
  return result;
}

/**
 * Runs one component in a fresh Node process (same CLI entry, same flags), so its peak RSS is its own
 * and not the high-water mark of everything benchmarked before it.
 */
export function measureInChild(
  key: string,
  job: { dir: string; runs: number; runtime?: string; threads?: number; precision?: WeightPrecision; steps?: number },
): Promise<ComponentResult> {
  const args = [process.argv[1], 'bench', ...(job.runtime ? ['--runtime', job.runtime] : []), ...(job.threads ? ['--threads', String(job.threads)] : [])];
  const child = spawn(process.execPath, [...process.execArgv, ...args], {
    env: { ...process.env, [CHILD_ENV]: JSON.stringify({ key, dir: job.dir, runs: job.runs, precision: job.precision ?? 'float32', steps: job.steps }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as ComponentResult);
      else
        reject(
          new MaskgenError('RUNTIME', `benchmark of ${key} failed (${signal ? `signal ${signal}` : `exit code ${code}`}); its own error is printed above`),
        );
    });
  });
}
