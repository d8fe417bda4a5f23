import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { COMPONENTS } from '../bench/components.js';
import { measureGemmPeak } from '../bench/gemm-peak.js';
import { fmtBytes, peakRss, timeIt } from '../bench/measure.js';
import { makeRuntime } from '../runtime-choice.js';
import type { Command } from './command.js';

const FLAGS = {
  models: { type: 'string', help: `comma list of ${Object.keys(COMPONENTS).join(', ')} (default: all)` },
  runtime: { type: 'string', choices: ['node', 'web'], help: 'onnxruntime-node (default) or onnxruntime-web (wasm)' },
  threads: { type: 'int', min: 1, max: 256, help: 'compute threads' },
  runs: { type: 'int', min: 1, max: 100, help: 'timed runs per component after one warm-up (default 3)' },
  'save-weights': { type: 'string', help: 'keep the random checkpoints (config.json + model.safetensors per model) in this folder' },
  json: { type: 'boolean', help: 'print JSON' },
} satisfies Flags;

/**
 * `maskgen bench`: real-size components with random weights (no download), timed after warm-up,
 * with FLOPs from the architecture, GFLOP/s against this machine's GEMM peak measured in the same
 * run, session build time and peak RSS.
 */
export const bench: Command = {
  summary: 'benchmark real-size components with random weights',
  usage: () => usage('bench', '[options]', FLAGS),
  async run(argv) {
    const { flags } = parseFlags(argv, FLAGS, { min: 0, max: 0, names: 'no arguments' });
    const names = flags.models ? flags.models.split(',').map((s) => s.trim()) : Object.keys(COMPONENTS);
    for (const n of names) if (!COMPONENTS[n]) throw new UsageError(`--models: unknown component "${n}"; expected ${Object.keys(COMPONENTS).join(', ')}`);
    const runtime = await makeRuntime(flags.runtime, flags.threads);
    const dir = flags['save-weights'] ? resolve(flags['save-weights']) : mkdtempSync(join(tmpdir(), 'maskgen-bench-'));
    const gemm = await measureGemmPeak(runtime);
    const rows: Record<string, unknown>[] = [];
    const say = (s: string) => !flags.json && process.stdout.write(`${s}\n`);
    say(`runtime ${runtime.name}; float32 GEMM peak (2048³ MatMul) ${gemm.gflops.toFixed(1)} GFLOP/s`);
    try {
      for (const n of names) {
        const c = COMPONENTS[n]();
        const t0 = performance.now();
        const { run, dispose } = await c.setup(runtime, dir);
        const buildMs = performance.now() - t0;
        const { medianMs, runsMs } = await timeIt(run, { warmup: 1, runs: flags.runs ?? 3 });
        await dispose();
        const gflops = c.flops / (medianMs / 1000) / 1e9;
        const row = { component: c.name, params: c.params, gflop: c.flops / 1e9, medianMs, runsMs, gflops, ofPeak: gflops / gemm.gflops, buildMs, peakRssBytes: peakRss() };
        rows.push(row);
        say(
          `${c.name.padEnd(38)} ${(c.params / 1e6).toFixed(0).padStart(5)}M params  ${medianMs.toFixed(0).padStart(6)} ms  ${gflops.toFixed(1).padStart(6)} GFLOP/s ` +
            `(${(row.ofPeak * 100).toFixed(0)}% of peak)  build incl. random weights ${(buildMs / 1000).toFixed(1)} s  peak RSS ${fmtBytes(row.peakRssBytes)}`,
        );
      }
    } finally {
      if (!flags['save-weights']) rmSync(dir, { recursive: true, force: true });
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ runtime: runtime.name, gemmPeakGflops: gemm.gflops, components: rows })}\n`);
    return 0;
  },
};
