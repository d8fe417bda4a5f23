import type { WeightPrecision } from '@maskgen/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { COMPONENTS, DEFAULT_COMPONENTS } from '../bench/components.js';
import { measureGemmPeak } from '../bench/gemm-peak.js';
import { CHILD_ENV, type ComponentResult, measureComponent, measureInChild } from '../bench/isolate.js';
import { formatRow } from '../bench/report.js';
import { COLD_COMPONENTS, type ColdResult, formatCold, measureColdStart } from '../bench/cold-start.js';
import { makeRuntime } from '../runtime-choice.js';
import type { Command } from './command.js';

const FLAGS = {
  models: {
    type: 'string',
    help: `comma list of ${[...Object.keys(COMPONENTS), ...COLD_COMPONENTS].join(', ')} (default: the L models one image at a time; batches (-b4, -b8), XL and cold-* run only when named)`,
  },
  runtime: { type: 'string', choices: ['node', 'web'], help: 'onnxruntime-node (default) or onnxruntime-web (wasm)' },
  threads: { type: 'int', min: 1, max: 256, help: 'compute threads' },
  runs: { type: 'int', min: 1, max: 100, help: 'timed runs per component after one warm-up (default 3)' },
  steps: {
    type: 'int',
    min: 1,
    max: 1000,
    help: "sampling steps of generate/sample/e2e components (VQ steps, KL outer steps; default: the models' 16 and 32)",
  },
  'save-weights': {
    type: 'string',
    help: 'keep the random checkpoints (config.json + model.safetensors per model, reference layout) in this folder; reused by later runs',
  },
  precision: {
    type: 'string',
    choices: ['float32', 'int8'],
    help: 'weights of the linear layers (default float32); int8 also reports each output against float32',
  },
  json: { type: 'boolean', help: 'print JSON' },
} satisfies Flags;

/**
 * `maskgen bench`: real-size components with random weights (no download), each in its own process
 * so peak RSS is per component, timed after a warm-up, with FLOPs from the architecture and GFLOP/s
 * against this machine's GEMM peak measured in each component's process right after its timed runs.
 */
export const bench: Command = {
  summary: 'benchmark real-size components with random weights',
  usage: () => usage('bench', '[options]', FLAGS),
  async run(argv) {
    const { flags } = parseFlags(argv, FLAGS, { min: 0, max: 0, names: 'no arguments' });
    const runtime = await makeRuntime(flags.runtime, flags.threads);
    const child = process.env[CHILD_ENV];
    if (child) {
      const job = JSON.parse(child) as { key: string; dir: string; runs: number; precision: WeightPrecision; steps?: number };
      process.stdout.write(`${JSON.stringify(await measureComponent(job.key, runtime, job.dir, job.runs, job.precision, { steps: job.steps }))}\n`);
      return 0;
    }
    const names = flags.models ? flags.models.split(',').map((s) => s.trim()) : DEFAULT_COMPONENTS;
    const isCold = (n: string) => (COLD_COMPONENTS as readonly string[]).includes(n);
    for (const n of names)
      if (!COMPONENTS[n] && !isCold(n))
        throw new UsageError(`--models: unknown component "${n}"; expected ${[...Object.keys(COMPONENTS), ...COLD_COMPONENTS].join(', ')}`);
    const dir = flags['save-weights'] ? resolve(flags['save-weights']) : mkdtempSync(join(tmpdir(), 'maskgen-bench-'));
    // With --json the report goes to stderr as it happens, so stdout holds only the JSON.
    const say = (s: string) => (flags.json ? process.stderr : process.stdout).write(`${s}\n`);
    const before = await measureGemmPeak(runtime);
    say(
      `runtime ${runtime.name}, ${flags.precision ?? 'float32'} weights; float32 GEMM peak ${before.gflops.toFixed(1)} GFLOP/s (${fmtShapes(before.byShape)})`,
    );
    const rows: ComponentResult[] = [];
    const cold: ColdResult[] = [];
    try {
      for (const n of names) {
        if (isCold(n)) {
          cold.push(await measureColdStart(n, { dir, threads: flags.threads, say }));
          say(formatCold(cold[cold.length - 1]));
          continue;
        }
        const r = await measureInChild(n, {
          dir,
          runs: flags.runs ?? 3,
          runtime: flags.runtime,
          threads: flags.threads,
          precision: flags.precision as WeightPrecision | undefined,
          steps: flags.steps,
        });
        rows.push(r);
        say(formatRow(r));
      }
    } finally {
      if (!flags['save-weights']) rmSync(dir, { recursive: true, force: true });
    }
    const after = await measureGemmPeak(runtime);
    const peak = Math.max(before.gflops, after.gflops);
    say(`GEMM peak after: ${after.gflops.toFixed(1)} GFLOP/s (each component's ratio uses the peak measured in its own process right after its runs)`);
    if (flags.json) {
      const components = rows.map((r) => ({
        ...r,
        gflops: r.flops / r.medianMs / 1e6,
        ofPeak: r.flops / r.medianMs / 1e6 / r.gemmPeakGflops,
        rssOverWeights: r.peakRssBytes / r.weightBytes,
      }));
      process.stdout.write(
        `${JSON.stringify({ runtime: runtime.name, precision: flags.precision ?? 'float32', threads: flags.threads ?? null, steps: flags.steps ?? null, gemmPeakGflops: peak, gemmPeak: { before: before.byShape, after: after.byShape }, components, ...(cold.length ? { cold } : {}) })}\n`,
      );
    }
    return 0;
  },
};

const fmtShapes = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([k, v]) => `${k}: ${v.toFixed(0)}`)
    .join(', ');
