import { ClipTextEncoder } from '@maskgen/clip-text';
import {
  type FileHandle,
  MaskgenError,
  type Runtime,
  SafetensorsFile,
  checkRange,
  SeededRng,
  type Tensor,
  type WeightPrecision,
  tensor,
  toFloat32,
} from '@maskgen/core';
import { MaskGenKL, MaskGenVQ } from '@maskgen/sampler';
import { Tatitok } from '@maskgen/tatitok';
import * as ort from 'onnxruntime-web';

/** The real-size models `pnpm -F @maskgen/golden real-sizes` runs, by checkpoint folder. */
export type RealSizeKey = 'clip' | 'tatitok_bl128_vq' | 'maskgen_vq_l' | 'maskgen_kl_l_mae' | 'maskgen_kl_l_diffloss';

/** One real-size call on a device against the same call on WASM in the same page. */
export interface RealSizeComparison {
  key: RealSizeKey;
  precision: WeightPrecision;
  /** What ran, or why it failed, per device. */
  device: string;
  wasm: string;
  /** Each output compared, where both devices produced it. */
  outputs: OutputDiff[];
}

/** |device − WASM| of one output. */
export interface OutputDiff {
  name: string;
  maxAbs: number;
  /** maxAbs over the largest |WASM| value. */
  maxRel: number;
  wasmMax: number;
  elements: number;
}

type Outputs = Record<string, Tensor | Float32Array>;

/** A weight file on the runner's server read by HTTP ranges: real checkpoints exceed what one ArrayBuffer should hold. */
export async function rangeFile(url: string): Promise<FileHandle> {
  const get = async (a: number, b: number, signal?: AbortSignal) => {
    const r = await fetch(url, { headers: { Range: `bytes=${a}-${b}` }, signal });
    if (r.status !== 206) throw new MaskgenError('NETWORK', `${url}: HTTP ${r.status} for a range request`);
    return r;
  };
  const size = Number((await get(0, 0)).headers.get('Content-Range')?.split('/')[1]);
  return {
    name: url,
    size,
    async read(offset, length, opts = {}) {
      checkRange(url, size, offset, length);
      if (length === 0) return new Uint8Array(0);
      return new Uint8Array(await (await get(offset, offset + length - 1, opts.signal)).arrayBuffer());
    },
  };
}

/** Progress lines the runner forwards from the page's console (a long SwiftShader run shows where it is). */
export const PROGRESS_PREFIX = '[real-size]';
const progress = (msg: string) => console.log(`${PROGRESS_PREFIX} ${msg}`);

interface KernelData {
  kernelType: string;
  programName: string;
  inputsMetadata: { dims: readonly number[] }[];
  startTime: number;
  endTime: number;
}

/**
 * Per-kernel GPU time from ORT's WebGPU profiling (timestamp queries; nothing where the adapter lacks
 * them), summed by op, program and input shapes; the top entries go to the progress log every minute
 * and at the end, so a call that never finishes still names the kernels it spends its time in.
 */
function kernelProfile(): () => void {
  const totals = new Map<string, { ns: number; n: number }>();
  const webgpu = ort.env.webgpu as { profiling?: { mode?: string; ondata?: (d: KernelData) => void } };
  webgpu.profiling = {
    mode: 'default',
    ondata: (d) => {
      const k = `${d.kernelType}/${d.programName} ${d.inputsMetadata.map((m) => `[${m.dims.join(',')}]`).join(' ')}`;
      const t = totals.get(k) ?? { ns: 0, n: 0 };
      t.ns += d.endTime - d.startTime;
      t.n++;
      totals.set(k, t);
    },
  };
  const report = (when: string) => {
    const all = [...totals.values()].reduce((a, t) => a + t.ns, 0);
    const top = [...totals.entries()].sort((a, b) => b[1].ns - a[1].ns).slice(0, 12);
    progress(`kernel profile ${when}: ${totals.size} kernels, ${(all / 1e9).toFixed(1)} s GPU in all${top.length ? '' : ' (no timestamp data)'}`);
    for (const [k, t] of top) progress(`  ${((100 * t.ns) / all).toFixed(1)}% ${(t.ns / 1e9).toFixed(2)} s ×${t.n} ${k}`);
  };
  const timer = setInterval(() => report('so far'), 60_000);
  return () => {
    clearInterval(timer);
    report('final');
    webgpu.profiling = { mode: 'off' };
  };
}

/** One call of a model at real size, with inputs from a fixed seed so both devices see the same ones. */
async function callOnce(
  key: RealSizeKey,
  runtime: Runtime,
  weights: SafetensorsFile,
  config: unknown,
  precision: WeightPrecision,
  batch: number,
  name: string,
): Promise<Outputs> {
  const rng = new SeededRng(1);
  const B = batch;
  const scores = new Array(B).fill(6.5);
  const built = () => progress(`${name}: sessions built, calling`);
  const randn = (dims: number[]) => tensor('float32', dims, rng.normal(dims));
  if (key === 'clip') {
    const enc = await ClipTextEncoder.create({ runtime, weights, precision });
    built();
    const ids = tensor(
      'int64',
      [B, 77],
      Array.from({ length: B * 77 }, (_, i) => (i % 77 === 0 ? 49406 : i % 77 === 20 ? 49407 : i % 77 > 20 ? 0 : 320 + i)),
    );
    try {
      return { penultimate: (await enc.encodeIds(ids)).penultimate };
    } finally {
      await enc.dispose();
    }
  }
  if (key === 'tatitok_bl128_vq') {
    const tok = await Tatitok.create({ runtime, weights, config, precision });
    try {
      await tok.prepare();
      built();
      return {
        image: await tok.decode(
          tensor(
            'int64',
            [1, 128],
            Array.from({ length: 128 }, (_, i) => (i * 97) % 8192),
          ),
          randn([1, 77, 768]),
        ),
      };
    } finally {
      await tok.dispose();
    }
  }
  if (key === 'maskgen_vq_l') {
    const gen = await MaskGenVQ.create({ runtime, weights, config, precision });
    built();
    try {
      return { logits: await gen.forward(tensor('int64', [B, 128], new Array(B * 128).fill(8192)), randn([B, 77, 768]), randn([B, 1, 768]), scores) };
    } finally {
      await gen.dispose();
    }
  }
  const gen = await MaskGenKL.create({ runtime, weights, config, precision });
  built();
  try {
    const D = gen.spec.dim;
    // One DiffLoss step: the MLP on 32·B rows (32 tokens of each sample) at t = 500, conditioned on c [32·B, D].
    const R = 32 * B;
    const step = (c: Tensor) => gen.mlpForward(randn([R, 16]), tensor('int64', [R], new Array(R).fill(500)), c);
    if (key === 'maskgen_kl_l_mae') {
      // The sampler's order: condition → MAE decoder → the DiffLoss step on its z (one build for both calls).
      const c = await gen.embedCondition(randn([B, 77, 768]), randn([B, 1, 768]), scores);
      const mask = tensor(
        'float32',
        [B, 32],
        Array.from({ length: B * 32 }, (_, i) => (i % 3 === 0 ? 0 : 1)),
      );
      const z = await gen.forwardMae(randn([B, 32, 16]), mask, c.condition, c.pooled);
      progress(`${name}: MAE decoder done, DiffLoss step on z`);
      return { 'forward_mae z': z, 'DiffLoss step on z': await step(tensor('float32', [R, D], z.data)) };
    }
    return { 'DiffLoss step': await step(randn([R, D])) };
  } finally {
    await gen.dispose();
  }
}

/**
 * Builds a real-size model from a random checkpoint served to the page and runs one call on `device`,
 * then on WASM, in the same page; each session is disposed before the next is made, one model at a time.
 */
export async function realSizeCheck(
  dirUrl: string,
  key: RealSizeKey,
  precision: WeightPrecision,
  device: Runtime,
  wasm: Runtime,
  o: { batch?: number; profile?: boolean } = {},
): Promise<RealSizeComparison> {
  const base = dirUrl.endsWith('/') ? dirUrl : `${dirUrl}/`;
  const weights = await SafetensorsFile.open(await rangeFile(`${base}model.safetensors`));
  const cfg = await fetch(`${base}config.json`);
  const config = cfg.ok ? await cfg.json() : undefined;
  const attempt = async (r: Runtime, name: string) => {
    progress(`${name}: building ${key} (${precision})`);
    try {
      const out = await callOnce(key, r, weights, config, precision, o.batch ?? 2, name);
      progress(`${name}: call done`);
      return { out: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v instanceof Float32Array ? v : toFloat32(v)])), error: '' };
    } catch (e) {
      const error = (e as Error)?.message ?? String(e);
      progress(`${name}: failed: ${error.split('\n')[0]}`);
      return { out: undefined, error };
    }
  };
  const stop = o.profile ? kernelProfile() : undefined;
  const d = await attempt(device, 'device');
  stop?.();
  const w = await attempt(wasm, 'wasm');
  const outputs: OutputDiff[] = Object.entries(d.out ?? {}).map(([name, a]) => {
    const b = w.out?.[name];
    let [maxAbs, wasmMax] = [NaN, NaN];
    if (b && a.length === b.length) {
      [maxAbs, wasmMax] = [0, 0];
      for (let i = 0; i < a.length; i++) {
        const diff = Math.abs(a[i] - b[i]);
        maxAbs = Math.max(maxAbs, Number.isNaN(diff) ? Infinity : diff);
        wasmMax = Math.max(wasmMax, Math.abs(b[i]));
      }
    }
    return { name, maxAbs, maxRel: wasmMax > 0 ? maxAbs / wasmMax : NaN, wasmMax, elements: a.length };
  });
  return { key, precision, device: d.error || 'ok', wasm: w.error || 'ok', outputs };
}
