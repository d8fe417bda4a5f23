import { ClipTextEncoder } from '@maskgen/clip-text';
import { SeededRng, tensor } from '@maskgen/core';
import { MaskGenKL, MaskGenVQ } from '@maskgen/sampler';
import { Tatitok } from '@maskgen/tatitok';
import { type Component, type ComponentOptions, checkpoint, inputs, promptIds, timeMethod } from './component.js';
import { E2E_COMPONENTS } from './e2e-components.js';
import { type GeneratorSize, generatorSize } from './generator-sizes.js';
import { clipFlops, klSampleFlops, tatitokDecodeFlops, vqForwardFlops } from './flops.js';
import { clipTextShapes, maskgenKlShapes, maskgenVqShapes, paramCount, tatitokShapes } from './random-checkpoints.js';

/** TA-TiTok decode of one image for a tokenizer variant (decoder size and token count from the released models). */
function tatitokDecode(tokens: number, mode: 'vq' | 'vae'): Component {
  const { shapes, config } = tatitokShapes({ enc: 'base', dec: 'large', tokens, mode });
  const C = mode === 'vq' ? 64 : 16;
  return {
    name: `tatitok-bl${tokens}-${mode} decode (batch 1)`,
    params: paramCount(shapes),
    flops: tatitokDecodeFlops({ width: 1024, layers: 24, tokens, tokenSize: C, grid: 16, patch: 16 }),
    async setup(runtime, dir, precision) {
      const randn = inputs();
      const ck = await checkpoint(dir, `tatitok_bl${tokens}_${mode}`, shapes, config);
      const tok = await Tatitok.create({ runtime, ...ck, precision });
      await tok.prepare();
      const input =
        mode === 'vq'
          ? tensor(
              'int64',
              [1, tokens],
              Array.from({ length: tokens }, (_, i) => (i * 97) % 8192),
            )
          : randn([1, C, 1, tokens]);
      const text = randn([1, 77, 768]);
      const run = () => tok.decode(input, text);
      return { run, dispose: () => tok.dispose(), weightBytes: ck.bytes, output: async () => (await run()).data };
    },
  };
}

/** MaskGen-VQ (L or XL): one forward at CFG batch 2, or a full generate of `steps` steps for `batch` images. */
export function maskgenVq(steps: number | null, size: GeneratorSize = generatorSize('vq', 'l'), batch = 1): Component {
  const { shapes, config } = maskgenVqShapes(size.dim, size.depth, size.heads);
  const id = `maskgen-vq-${size.label}`;
  return {
    name: steps === null ? `${id} forward (CFG batch 2)` : `${id} generate (${steps} steps, CFG${batch > 1 ? `, ${batch} images` : ''})`,
    params: paramCount(shapes),
    flops: (steps ?? 1) * batch * vqForwardFlops(size.dim, size.depth),
    images: batch,
    async setup(runtime, dir, precision) {
      const randn = inputs();
      const ck = await checkpoint(dir, id.replace(/-/g, '_'), shapes, config);
      const gen = await MaskGenVQ.create({ runtime, ...ck, precision });
      const [cond, pooled] = [randn([2, 77, 768]), randn([2, 1, 768])];
      const forward = () => gen.forward(tensor('int64', [2, 128], new Array(256).fill(8192)), cond, pooled, [6.5, 6.5]);
      const [c1, p1, c0, p0] = [randn([batch, 77, 768]), randn([batch, 1, 768]), randn([1, 77, 768]), randn([1, 1, 768])];
      const run =
        steps === null ? forward : () => gen.generate({ condition: c1, pooled: p1, uncondCondition: c0, uncondPooled: p0, rng: new SeededRng(1), steps });
      return { run, dispose: () => gen.dispose(), weightBytes: ck.bytes, ...(steps === null ? { output: async () => (await forward()).data } : {}) };
    },
  };
}

/**
 * MaskGen-KL (L or XL) sampling with CFG of `batch` images: `iters` outer steps of 100 reverse diffusion steps. With
 * one outer step every token is predicted at once (64 MLP rows); with 32 each step predicts one.
 * The MAE decoder's and the diffusion head's wall times are reported apart.
 */
export function maskgenKl(iters: number, batch = 1, size: GeneratorSize = generatorSize('kl', 'l')): Component {
  const { shapes, config } = maskgenKlShapes(size.dim, size.depth, size.heads, size.mlpBlocks, size.mlpWidth);
  const f = klSampleFlops({
    d: size.dim,
    depth: size.depth,
    tokens: 32,
    iters,
    steps: 100,
    mlpWidth: size.mlpWidth,
    mlpBlocks: size.mlpBlocks,
    tokenSize: 16,
    batch,
  });
  const id = `maskgen-kl-${size.label}`;
  return {
    name:
      iters === 1
        ? `${id} one step, all 32 tokens (CFG, 100 diffusion steps)`
        : `${id} sample (${iters} steps × 100 diffusion steps, CFG, ${batch} image${batch > 1 ? 's' : ''})`,
    params: paramCount(shapes),
    flops: f.total,
    images: batch,
    async setup(runtime, dir, precision) {
      const randn = inputs();
      const ck = await checkpoint(dir, id.replace(/-/g, '_'), shapes, config);
      const gen = await MaskGenKL.create({ runtime, ...ck, precision });
      const [cond, pooled, uc, up] = [randn([batch, 77, 768]), randn([batch, 1, 768]), randn([1, 77, 768]), randn([1, 1, 768])];
      const decoder = { ms: 0 };
      timeMethod(gen, 'forwardMae', decoder);
      timeMethod(gen, 'embedCondition', decoder);
      let total = 0;
      const sample = () => gen.sample({ condition: cond, pooled, uncondCondition: uc, uncondPooled: up, rng: new SeededRng(1), numIter: iters });
      const run = async () => {
        decoder.ms = 0;
        const t = performance.now();
        await sample();
        total = performance.now() - t;
      };
      const parts = () => ({ decoder: { ms: decoder.ms, flops: f.decoder }, head: { ms: total - decoder.ms, flops: f.head } });
      // One outer step has no earlier decision to flip, so its latents compare int8 with float32 under the same draws.
      return { run, dispose: () => gen.dispose(), weightBytes: ck.bytes, parts, ...(iters === 1 ? { output: async () => (await sample()).data } : {}) };
    },
  };
}

/** The components `maskgen bench` knows, at the released models' real sizes. */
export const COMPONENTS: Record<string, (o?: ComponentOptions) => Component> = {
  clip: () => {
    const shapes = clipTextShapes();
    return {
      name: 'clip (ViT-L-14 text, batch 2)',
      params: paramCount(shapes),
      flops: clipFlops(2),
      async setup(runtime, dir, precision) {
        const ck = await checkpoint(dir, 'clip', shapes);
        const enc = await ClipTextEncoder.create({ runtime, weights: ck.weights, precision });
        const ids = promptIds(2);
        return {
          run: () => enc.encodeIds(ids),
          dispose: () => enc.dispose(),
          weightBytes: ck.bytes,
          output: async () => (await enc.encodeIds(ids)).penultimate.data,
        };
      },
    };
  },
  'tatitok-bl128-vq': () => tatitokDecode(128, 'vq'),
  'tatitok-bl32-vae': () => tatitokDecode(32, 'vae'),
  'maskgen-vq-l': () => maskgenVq(null),
  'maskgen-vq-l-generate': (o) => maskgenVq(o?.steps ?? 16),
  'maskgen-kl-l': () => maskgenKl(1),
  'maskgen-kl-l-sample': (o) => maskgenKl(o?.steps ?? 32),
  // Batches of B images (per-image time = median / B): the KL head's per-step weight reads are shared by 2B rows instead of 2.
  'maskgen-vq-l-generate-b4': (o) => maskgenVq(o?.steps ?? 16, undefined, 4),
  'maskgen-vq-l-generate-b8': (o) => maskgenVq(o?.steps ?? 16, undefined, 8),
  'maskgen-kl-l-sample-b4': (o) => maskgenKl(o?.steps ?? 32, 4),
  'maskgen-kl-l-sample-b8': (o) => maskgenKl(o?.steps ?? 32, 8),
  // XL, sizes from the reference's configs/infer/MaskGen/maskgen_{vq,kl}_xl.yaml.
  'maskgen-vq-xl': () => maskgenVq(null, generatorSize('vq', 'xl')),
  'maskgen-vq-xl-generate': (o) => maskgenVq(o?.steps ?? 16, generatorSize('vq', 'xl')),
  'maskgen-kl-xl': () => maskgenKl(1, 1, generatorSize('kl', 'xl')),
  'maskgen-kl-xl-sample': (o) => maskgenKl(o?.steps ?? 32, 1, generatorSize('kl', 'xl')),
  ...E2E_COMPONENTS,
};

/** Components run only when named: batches and XL take minutes and 5–8 GB each. */
export const isOnDemand = (key: string) => /-b\d+$|-xl(-|$)/.test(key);

/** What runs without --models: the L models, one image at a time. */
export const DEFAULT_COMPONENTS = Object.keys(COMPONENTS).filter((k) => !isOnDemand(k));
