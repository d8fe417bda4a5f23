import { ClipTextEncoder } from '@maskgen/clip-text';
import { type Runtime, SafetensorsFile, SeededRng, tensor } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import { MaskGenKL, MaskGenVQ } from '@maskgen/sampler';
import { Tatitok } from '@maskgen/tatitok';
import { join } from 'node:path';
import { type ShapeTable, clipTextShapes, maskgenKlShapes, maskgenVqShapes, paramCount, tatitokShapes, writeRandomCheckpoint } from './random-checkpoints.js';

/** One benchmarked component: how to build it and one timed call, with its FLOPs from the architecture. */
export interface Component {
  name: string;
  params: number;
  flops: number;
  /** Builds sessions (timed separately) and returns the call to time plus a cleanup. */
  setup(runtime: Runtime, dir: string): Promise<{ run: () => Promise<unknown>; dispose: () => Promise<void> }>;
}

/** Pre-LN transformer FLOPs: 24·d² per token per layer for the linears, 4·L·d for attention. */
const transformerFlops = (batch: number, len: number, d: number, layers: number) => batch * layers * len * (24 * d * d + 4 * len * d);

async function checkpoint(dir: string, name: string, shapes: ShapeTable, config?: object) {
  const folder = join(dir, name);
  writeRandomCheckpoint(folder, shapes, config);
  const weights = await SafetensorsFile.open(await nodeFile(join(folder, 'model.safetensors')));
  return { weights, config };
}

const rng = new SeededRng(1);
const randn = (dims: number[]) => tensor('float32', dims, rng.normal(dims));

/** The components `maskgen bench` knows, at the released models' real sizes. */
export const COMPONENTS: Record<string, () => Component> = {
  clip: () => {
    const shapes = clipTextShapes();
    return {
      name: 'clip (ViT-L-14 text, batch 2)',
      params: paramCount(shapes),
      flops: transformerFlops(2, 77, 768, 12),
      async setup(runtime, dir) {
        const { weights } = await checkpoint(dir, 'clip', shapes, undefined);
        const enc = await ClipTextEncoder.create({ runtime, weights });
        const ids = tensor('int64', [2, 77], Array.from({ length: 154 }, (_, i) => (i % 77 === 0 ? 49406 : i % 77 === 20 ? 49407 : i % 77 > 20 ? 0 : 320 + i)));
        return { run: () => enc.encodeIds(ids), dispose: () => enc.dispose() };
      },
    };
  },
  'tatitok-bl128-vq': () => {
    const { shapes, config } = tatitokShapes({ enc: 'base', dec: 'large', tokens: 128, mode: 'vq' });
    return {
      name: 'tatitok-bl128-vq decode (batch 1)',
      params: paramCount(shapes),
      flops: transformerFlops(1, 1 + 256 + 128 + 77, 1024, 24) + 2 * 256 * 1024 * 768,
      async setup(runtime, dir) {
        const ck = await checkpoint(dir, 'tatitok', shapes, config);
        const tok = await Tatitok.create({ runtime, ...ck });
        const ids = tensor('int64', [1, 128], Array.from({ length: 128 }, (_, i) => (i * 97) % 8192));
        const text = randn([1, 77, 768]);
        return { run: () => tok.decode(ids, text), dispose: () => tok.dispose() };
      },
    };
  },
  'maskgen-vq-l': () => {
    const { shapes, config } = maskgenVqShapes(1024, 16, 16);
    const d = 1024;
    return {
      name: 'maskgen-vq-l forward (CFG batch 2)',
      params: paramCount(shapes),
      flops: transformerFlops(2, 205, d, 16) + 2 * 2 * 128 * d * 8192,
      async setup(runtime, dir) {
        const ck = await checkpoint(dir, 'maskgen_vq_l', shapes, config);
        const gen = await MaskGenVQ.create({ runtime, ...ck });
        const ids = tensor('int64', [2, 128], new Array(256).fill(8192));
        const cond = randn([2, 77, 768]);
        const pooled = randn([2, 1, 768]);
        return { run: () => gen.forward(ids, cond, pooled, [6.5, 6.5]), dispose: () => gen.dispose() };
      },
    };
  },
  'maskgen-kl-l': () => {
    const { shapes, config } = maskgenKlShapes(1024, 16, 16, 8, 1024);
    const d = 1024;
    const rows = 64; // one outer step predicting all 32 tokens, CFG doubles the rows
    const mlpPerRow = 2 * (16 * d + 256 * d + d * d + d * d + 8 * (3 * d * d + 2 * d * d) + 2 * d * d + 32 * d);
    return {
      name: 'maskgen-kl-l image-step (CFG, 100 diffusion steps)',
      params: paramCount(shapes),
      flops: transformerFlops(2, 32 + 77, d, 16) + 100 * rows * mlpPerRow,
      async setup(runtime, dir) {
        const ck = await checkpoint(dir, 'maskgen_kl_l', shapes, config);
        const gen = await MaskGenKL.create({ runtime, ...ck });
        const [cond, pooled, uc, up] = [randn([1, 77, 768]), randn([1, 1, 768]), randn([1, 77, 768]), randn([1, 1, 768])];
        const run = () => gen.sample({ condition: cond, pooled, uncondCondition: uc, uncondPooled: up, rng: new SeededRng(1), numIter: 1 });
        return { run, dispose: () => gen.dispose() };
      },
    };
  },
};
