import type { ClipTextEncoder } from '@maskgen/clip-text';
import { MaskgenError, type Rng, SeededRng } from '@maskgen/core';
import type { MaskGenKL } from '@maskgen/sampler';
import type { Tatitok } from '@maskgen/tatitok';
import type { KlDefaults } from './model-zoo.js';
import { MAX_IMAGES_PER_PROMPT, checkNumber, checkPrompts } from './prompts.js';
import { decodeImages } from './decode-images.js';
import type { GenerateOptions, GenerateResult, TextToImage } from './types.js';

/**
 * Text-to-image with a MaskGen-KL generator: MAR sampling of continuous tokens (diffusion head per
 * step), decoded by the paired TA-TiTok KL tokenizer under the prompts' CLIP states.
 */
export function klTextToImage(modelId: string, defaults: KlDefaults, generator: MaskGenKL, tok: Tatitok, clip: ClipTextEncoder): TextToImage {
  return {
    modelId,
    family: 'kl',
    defaults,
    async generate(prompts, o: GenerateOptions = {}): Promise<GenerateResult> {
      const list = checkPrompts(prompts);
      const n = checkNumber('numImages', o.numImages, 1, MAX_IMAGES_PER_PROMPT, true) ?? 1;
      const steps = checkNumber('steps', o.steps, 1, 1000, true) ?? generator.spec.defaults.numIter;
      const guidance = checkNumber('guidance', o.guidance, 0, 100) ?? generator.spec.defaults.cfg;
      const temperature = checkNumber('temperature', o.temperature, 0, 100) ?? generator.spec.defaults.temperature;
      const aestheticScore = checkNumber('aestheticScore', o.aestheticScore, 0, 10) ?? generator.spec.defaults.aestheticScore;
      const seed = checkNumber('seed', o.seed, 0, Number.MAX_SAFE_INTEGER, true) ?? Math.floor(Math.random() * 2 ** 31);
      const rng: Rng = o.rng ?? new SeededRng(seed);
      const expanded = list.flatMap((p) => Array.from({ length: n }, () => p));
      o.onProgress?.({ phase: 'encode-text', done: 0, total: 1 });
      const [enc, empty] = await Promise.all([clip.encode(expanded, { signal: o.signal }), clip.encode([''], { signal: o.signal })]);
      o.onProgress?.({ phase: 'encode-text', done: 1, total: 1 });
      const tokens = await generator.sample({
        condition: enc.penultimate,
        pooled: enc.pooled,
        uncondCondition: empty.penultimate,
        uncondPooled: empty.pooled,
        rng,
        numIter: steps,
        cfg: guidance,
        cfgSchedule: generator.spec.defaults.cfgSchedule,
        temperature,
        aestheticScore,
        signal: o.signal,
        onStep: (step, total, latents) => {
          o.onProgress?.({ phase: 'sample', step, total });
          if (!o.onPreview) return;
          if (!o.previewImages) return o.onPreview({ step, total, tokens: latents });
          void decodeImages(tok, latents, enc.final, o.signal).then(
            (images) => o.onPreview?.({ step, total, tokens: latents, images }),
            () => undefined,
          );
        },
      });
      o.onProgress?.({ phase: 'decode', done: 0, total: 1 });
      const images = await decodeImages(tok, tokens, enc.final, o.signal);
      o.onProgress?.({ phase: 'decode', done: 1, total: 1 });
      return { images, tokens, seed, settings: { steps, guidance, temperature, aestheticScore, numImages: n, diffusionSteps: generator.spec.samplingSteps } };
    },
    async edit() {
      throw new MaskgenError('NOT_IMPLEMENTED', `edit: token-space editing is available for MaskGen-VQ models; ${modelId} is a KL model`);
    },
    async decode(tokens, prompts, o = {}) {
      const list = checkPrompts(prompts);
      if (list.length !== tokens.dims[0]) throw new MaskgenError('INVALID_ARGUMENT', `prompts: expected one prompt per token row (${tokens.dims[0]}), got ${list.length}`);
      const enc = await clip.encode(list, { signal: o.signal });
      return decodeImages(tok, tokens, enc.final, o.signal);
    },
    async dispose() {
      await Promise.all([generator.dispose(), tok.dispose(), clip.dispose()]);
    },
  };
}
