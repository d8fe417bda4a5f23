import { ClipTextEncoder } from '@maskgen/clip-text';
import { MaskGenKL, MaskGenVQ } from '@maskgen/sampler';
import { Tatitok } from '@maskgen/tatitok';
import { type Component, type ComponentOptions, type PartTiming, checkpoint, promptIds, row } from './component.js';
import { conditionFromRows } from './inputs.js';
import { clipFlops, klSampleFlops, tatitokDecodeFlops, vqForwardFlops } from './flops.js';
import { type GeneratorSize, generatorSize } from './generator-sizes.js';
import { clipTextShapes, maskgenKlShapes, maskgenVqShapes, paramCount, tatitokShapes } from './random-checkpoints.js';

type Kind = 'vq' | 'kl';

/**
 * Prompt ids → image with every model alive in one process, as `maskgen generate` runs it: CLIP on
 * the prompt and the empty prompt, the generator's default sampling (VQ-L 16 steps; KL-L 32 × 100),
 * then the TA-TiTok decode. Its peak RSS against the three checkpoints' bytes is the memory target.
 */
function e2e(kind: Kind, size: GeneratorSize = generatorSize(kind, 'l'), steps = kind === 'vq' ? 16 : 32): Component {
  const tokens = kind === 'vq' ? 128 : 32;
  const clip = clipTextShapes();
  const tok = tatitokShapes({ enc: 'base', dec: 'large', tokens, mode: kind === 'vq' ? 'vq' : 'vae' });
  const { dim: d, depth } = size;
  const gen = kind === 'vq' ? maskgenVqShapes(d, depth, size.heads) : maskgenKlShapes(d, depth, size.heads, size.mlpBlocks, size.mlpWidth);
  const genId = `maskgen-${kind}-${size.label}`;
  const flops = {
    clip: clipFlops(2),
    generator:
      kind === 'vq'
        ? steps * vqForwardFlops(d, depth)
        : klSampleFlops({ d, depth, tokens: 32, iters: steps, steps: 100, mlpWidth: size.mlpWidth, mlpBlocks: size.mlpBlocks, tokenSize: 16 }).total,
    decode: tatitokDecodeFlops({ width: 1024, layers: 24, tokens, tokenSize: kind === 'vq' ? 64 : 16, grid: 16, patch: 16 }),
  };
  return {
    name: `end-to-end image, ${genId} (${steps} steps) + ${kind === 'vq' ? 'bl128-vq' : 'bl32-vae'} + clip`,
    params: paramCount(clip) + paramCount(tok.shapes) + paramCount(gen.shapes),
    flops: flops.clip + flops.generator + flops.decode,
    async setup(runtime, dir, precision) {
      const cks = await Promise.all([
        checkpoint(dir, 'clip', clip),
        checkpoint(dir, `tatitok_bl${tokens}_${kind === 'vq' ? 'vq' : 'vae'}`, tok.shapes, tok.config),
        checkpoint(dir, genId.replace(/-/g, '_'), gen.shapes, gen.config),
      ]);
      const encoder = await ClipTextEncoder.create({ runtime, weights: cks[0].weights, precision });
      const tatitok = await Tatitok.create({ runtime, ...cks[1], precision });
      await tatitok.prepare();
      const vq = kind === 'vq' ? await MaskGenVQ.create({ runtime, ...cks[2], precision }) : null;
      const kl = kind === 'kl' ? await MaskGenKL.create({ runtime, ...cks[2], precision }) : null;
      const ids = promptIds(2);
      const ms = { clip: 0, generator: 0, decode: 0 };
      const run = async () => {
        let t = performance.now();
        const e = await encoder.encodeIds(ids);
        const c = conditionFromRows(e);
        ms.clip = performance.now() - t;
        t = performance.now();
        const latent = vq ? await vq.generate({ ...c, steps }) : await (kl as MaskGenKL).sample({ ...c, numIter: steps });
        ms.generator = performance.now() - t;
        t = performance.now();
        await tatitok.decode(latent, row(e.final, 0));
        ms.decode = performance.now() - t;
      };
      const parts = (): Record<string, PartTiming> =>
        Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, { ms: v, flops: flops[k as keyof typeof flops] }]));
      const dispose = async () => {
        await Promise.all([encoder.dispose(), tatitok.dispose(), vq?.dispose(), kl?.dispose()]);
      };
      return { run, dispose, weightBytes: cks.reduce((s, c) => s + c.bytes, 0), parts };
    },
  };
}

/** End-to-end components (listed after the single-model ones). */
export const E2E_COMPONENTS: Record<string, (o?: ComponentOptions) => Component> = {
  'e2e-vq-l': (o) => e2e('vq', undefined, o?.steps),
  'e2e-kl-l': (o) => e2e('kl', undefined, o?.steps),
  'e2e-vq-xl': (o) => e2e('vq', generatorSize('vq', 'xl'), o?.steps),
  'e2e-kl-xl': (o) => e2e('kl', generatorSize('kl', 'xl'), o?.steps),
};
