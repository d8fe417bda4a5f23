import type { ClipTextEncoder } from '@maskgen/clip-text';
import { MaskgenError } from '@maskgen/core';
import type { MaskGenKL } from '@maskgen/sampler';
import type { Tatitok } from '@maskgen/tatitok';
import type { KlDefaults } from './model-zoo.js';
import { checkPrompts } from './prompts.js';
import { decodeImages } from './decode-images.js';
import { generatePrelude } from './generate-prelude.js';
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
      const d = generator.spec.defaults;
      const p = await generatePrelude(clip, prompts, o, { steps: d.numIter, guidance: d.cfg, temperature: d.temperature, aestheticScore: d.aestheticScore });
      const { n, steps, guidance, temperature, seed, rng, enc, empty } = p;
      const aestheticScore = p.aestheticScore ?? d.aestheticScore;
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
