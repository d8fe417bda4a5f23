import { ClipTextEncoder } from '@maskgen/clip-text';
import { type Runtime, SafetensorsFile, type WeightPrecision, tensor } from '@maskgen/core';
import { webRuntime } from '@maskgen/runtime-web';
import { MaskGenVQ } from '@maskgen/sampler';
import { Tatitok } from '@maskgen/tatitok';
import { clipFlops, tatitokDecodeFlops, vqForwardFlops } from '../../../../apps/cli/src/bench/flops.js';
import { measureGemmPeak } from '../../../../apps/cli/src/bench/gemm-peak.js';
import { conditionFromRows, inputs, promptIds, row } from '../../../../apps/cli/src/bench/inputs.js';
import { timeIt } from '../../../../apps/cli/src/bench/timing.js';
import { rangeFile } from './real-size-check.js';

/** Components the Chromium bench page times (each in a fresh page, run by `pnpm -F @maskgen/golden bench-chromium`). */
export type ChromiumBenchKey = 'clip' | 'tatitok-bl128-vq' | 'maskgen-vq-l' | 'e2e-vq-l';

/** What one component measured in the page, with the page's own MatMul ceiling taken right after its runs. */
export interface ChromiumBenchResult {
  key: ChromiumBenchKey;
  name: string;
  precision: WeightPrecision;
  flops: number;
  buildMs: number;
  firstRunMs: number;
  runsMs: number[];
  medianMs: number;
  /** onnxruntime-web's float32 MatMul GFLOP/s in this page after the runs (best of two transformer shapes). */
  ceilingGflops: number;
  ceilingByShape: Record<string, number>;
  threads: number;
  crossOriginIsolated: boolean;
  parts?: Record<string, number>;
}

/** The page's API, driven by the bench script through Playwright. */
export interface BenchPage {
  run(
    key: ChromiumBenchKey,
    folders: Record<string, string>,
    o: { precision: WeightPrecision; runs: number; threads: number; steps: number },
  ): Promise<ChromiumBenchResult>;
}

const wasmPaths = new URL('/ort/', location.href).href;

async function open(url: string) {
  const base = url.endsWith('/') ? url : `${url}/`;
  const cfg = await fetch(`${base}config.json`);
  return { weights: await SafetensorsFile.open(await rangeFile(`${base}model.safetensors`)), config: cfg.ok ? await cfg.json() : undefined };
}

/** Builds one component from the served random checkpoints: the same inputs as `maskgen bench` gives it. */
async function setup(key: ChromiumBenchKey, runtime: Runtime, f: Record<string, string>, precision: WeightPrecision, steps: number) {
  const randn = inputs();
  if (key === 'clip') {
    const enc = await ClipTextEncoder.create({ runtime, weights: (await open(f.clip)).weights, precision });
    const ids = promptIds(2);
    return { name: 'clip (ViT-L-14 text, batch 2)', flops: clipFlops(2), run: () => enc.encodeIds(ids), dispose: () => enc.dispose() };
  }
  if (key === 'tatitok-bl128-vq') {
    const tok = await Tatitok.create({ runtime, ...(await open(f.tatitok)), precision });
    await tok.prepare();
    const ids = tensor(
      'int64',
      [1, 128],
      Array.from({ length: 128 }, (_, i) => (i * 97) % 8192),
    );
    const text = randn([1, 77, 768]);
    return {
      name: 'tatitok-bl128-vq decode (batch 1)',
      flops: tatitokDecodeFlops({ width: 1024, layers: 24, tokens: 128, tokenSize: 64, grid: 16, patch: 16 }),
      run: () => tok.decode(ids, text),
      dispose: () => tok.dispose(),
    };
  }
  const vq = await MaskGenVQ.create({ runtime, ...(await open(f.generator)), precision });
  const { dim, depth } = vq.spec;
  if (key === 'maskgen-vq-l') {
    const [cond, pooled] = [randn([2, 77, 768]), randn([2, 1, 768])];
    const ids = tensor('int64', [2, 128], new Array(256).fill(8192));
    return {
      name: 'maskgen-vq-l forward (CFG batch 2)',
      flops: vqForwardFlops(dim, depth),
      run: () => vq.forward(ids, cond, pooled, [6.5, 6.5]),
      dispose: () => vq.dispose(),
    };
  }
  const enc = await ClipTextEncoder.create({ runtime, weights: (await open(f.clip)).weights, precision });
  const tok = await Tatitok.create({ runtime, ...(await open(f.tatitok)), precision });
  await tok.prepare();
  const ids = promptIds(2);
  const parts: Record<string, number> = {};
  const run = async () => {
    let t = performance.now();
    const e = await enc.encodeIds(ids);
    parts.clip = performance.now() - t;
    t = performance.now();
    const c = { ...conditionFromRows(e), steps };
    const latent = await vq.generate(c);
    parts.generator = performance.now() - t;
    t = performance.now();
    await tok.decode(latent, row(e.final, 0));
    parts.decode = performance.now() - t;
  };
  const flops =
    clipFlops(2) + steps * vqForwardFlops(dim, depth) + tatitokDecodeFlops({ width: 1024, layers: 24, tokens: 128, tokenSize: 64, grid: 16, patch: 16 });
  return {
    name: `end-to-end image, maskgen-vq-l (${steps} steps) + bl128-vq + clip`,
    flops,
    run,
    parts: () => ({ ...parts }),
    dispose: async () => {
      await Promise.all([enc.dispose(), tok.dispose(), vq.dispose()]);
    },
  };
}

const api: BenchPage = {
  async run(key, folders, o) {
    const runtime = webRuntime({ device: 'wasm', threads: o.threads, wasmPaths });
    let t = performance.now();
    const c = await setup(key, runtime, folders, o.precision, o.steps);
    const buildMs = performance.now() - t;
    try {
      t = performance.now();
      await c.run();
      const firstRunMs = performance.now() - t;
      const { medianMs, runsMs } = await timeIt(c.run, { warmup: 0, runs: o.runs });
      const parts = 'parts' in c ? c.parts?.() : undefined;
      await c.dispose();
      // Right after the runs, under the same load, with the component's sessions released.
      const peak = await measureGemmPeak(runtime, [
        [512, 4096, 1024],
        [512, 1024, 4096],
      ]);
      return {
        key,
        name: c.name,
        precision: o.precision,
        flops: c.flops,
        buildMs,
        firstRunMs,
        runsMs,
        medianMs,
        ceilingGflops: peak.gflops,
        ceilingByShape: peak.byShape,
        threads: o.threads,
        crossOriginIsolated,
        parts,
      };
    } catch (e) {
      await c.dispose();
      throw e;
    }
  },
};
(globalThis as { maskgenBench?: BenchPage }).maskgenBench = api;
