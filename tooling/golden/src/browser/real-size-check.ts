import { ClipTextEncoder } from '@maskgen/clip-text';
import { type FileHandle, MaskgenError, type Runtime, SafetensorsFile, checkRange, SeededRng, type Tensor, type WeightPrecision, tensor, toFloat32 } from '@maskgen/core';
import { MaskGenKL, MaskGenVQ } from '@maskgen/sampler';
import { Tatitok } from '@maskgen/tatitok';

/** The real-size models `pnpm -F @maskgen/golden real-sizes` runs, by checkpoint folder. */
export type RealSizeKey = 'clip' | 'tatitok_bl128_vq' | 'maskgen_vq_l' | 'maskgen_kl_l_mae' | 'maskgen_kl_l_diffloss';

/** One real-size call on a device against the same call on WASM in the same page. */
export interface RealSizeComparison {
  key: RealSizeKey;
  precision: WeightPrecision;
  /** What ran, or why it failed, per device. */
  device: string;
  wasm: string;
  maxAbs: number;
  /** maxAbs over the largest |WASM| value. */
  maxRel: number;
  wasmMax: number;
  elements: number;
}

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

/** One call of a model at real size, with inputs from a fixed seed so both devices see the same ones. */
async function callOnce(key: RealSizeKey, runtime: Runtime, weights: SafetensorsFile, config: unknown, precision: WeightPrecision): Promise<Tensor | Float32Array> {
  const rng = new SeededRng(1);
  const randn = (dims: number[]) => tensor('float32', dims, rng.normal(dims));
  if (key === 'clip') {
    const enc = await ClipTextEncoder.create({ runtime, weights, precision });
    const ids = tensor('int64', [2, 77], Array.from({ length: 154 }, (_, i) => (i % 77 === 0 ? 49406 : i % 77 === 20 ? 49407 : i % 77 > 20 ? 0 : 320 + i)));
    try {
      return (await enc.encodeIds(ids)).penultimate;
    } finally {
      await enc.dispose();
    }
  }
  if (key === 'tatitok_bl128_vq') {
    const tok = await Tatitok.create({ runtime, weights, config, precision });
    try {
      return await tok.decode(tensor('int64', [1, 128], Array.from({ length: 128 }, (_, i) => (i * 97) % 8192)), randn([1, 77, 768]));
    } finally {
      await tok.dispose();
    }
  }
  if (key === 'maskgen_vq_l') {
    const gen = await MaskGenVQ.create({ runtime, weights, config, precision });
    try {
      return await gen.forward(tensor('int64', [2, 128], new Array(256).fill(8192)), randn([2, 77, 768]), randn([2, 1, 768]), [6.5, 6.5]);
    } finally {
      await gen.dispose();
    }
  }
  const gen = await MaskGenKL.create({ runtime, weights, config, precision });
  try {
    const D = gen.spec.dim;
    if (key === 'maskgen_kl_l_mae') {
      const c = await gen.embedCondition(randn([2, 77, 768]), randn([2, 1, 768]), [6.5, 6.5]);
      const mask = tensor('float32', [2, 32], Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? 0 : 1)));
      return await gen.forwardMae(randn([2, 32, 16]), mask, c.condition, c.pooled);
    }
    // One DiffLoss step: the MLP on 64 rows (32 tokens, CFG pair) at t = 500.
    return await gen.mlpForward(randn([64, 16]), tensor('float32', [64], new Float32Array(64).fill(500)), randn([64, D]));
  } finally {
    await gen.dispose();
  }
}

/**
 * Builds a real-size model from a random checkpoint served to the page and runs one call on `device`,
 * then on WASM, in the same page; each session is disposed before the next is made, one model at a time.
 */
export async function realSizeCheck(dirUrl: string, key: RealSizeKey, precision: WeightPrecision, device: Runtime, wasm: Runtime): Promise<RealSizeComparison> {
  const base = dirUrl.endsWith('/') ? dirUrl : `${dirUrl}/`;
  const weights = await SafetensorsFile.open(await rangeFile(`${base}model.safetensors`));
  const cfg = await fetch(`${base}config.json`);
  const config = cfg.ok ? await cfg.json() : undefined;
  const attempt = async (r: Runtime) => {
    try {
      const out = await callOnce(key, r, weights, config, precision);
      return { out: out instanceof Float32Array ? out : toFloat32(out), error: '' };
    } catch (e) {
      return { out: undefined, error: (e as Error)?.message ?? String(e) };
    }
  };
  const d = await attempt(device);
  const w = await attempt(wasm);
  let [maxAbs, wasmMax] = [NaN, NaN];
  if (d.out && w.out && d.out.length === w.out.length) {
    [maxAbs, wasmMax] = [0, 0];
    for (let i = 0; i < d.out.length; i++) {
      const diff = Math.abs(d.out[i] - w.out[i]);
      maxAbs = Math.max(maxAbs, Number.isNaN(diff) ? Infinity : diff);
      wasmMax = Math.max(wasmMax, Math.abs(w.out[i]));
    }
  }
  return { key, precision, device: d.error || 'ok', wasm: w.error || 'ok', maxAbs, maxRel: wasmMax > 0 ? maxAbs / wasmMax : NaN, wasmMax, elements: d.out?.length ?? 0 };
}
