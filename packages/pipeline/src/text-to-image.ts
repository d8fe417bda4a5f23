import type { ClipTextEncoder } from '@maskgen/clip-text';
import { MaskgenError, type Tensor, quote, tensor, throwIfAborted } from '@maskgen/core';
import { MaskGenKL, MaskGenVQ } from '@maskgen/sampler';
import { klTextToImage } from './kl-text-to-image.js';
import { type Tatitok, imageToTensor, resizeAndCenterCrop } from '@maskgen/tatitok';
import { decodeImages } from './decode-images.js';
import { generatePrelude } from './generate-prelude.js';
import { loadTatitok } from './image-tokenizer.js';
import { type ModelRef, modelLabel, pairedTokenizer, resolveModel } from './model-file.js';
import { describeModel } from './model-kind.js';
import type { VqDefaults } from './model-zoo.js';
import { checkPrompts } from './prompts.js';
import { loadTextEncoder } from './text-encoder.js';
import type { GenerateOptions, GenerateResult, LoadOptions, TextToImage } from './types.js';

/**
 * One line to a working text-to-image model: the generator, its TA-TiTok tokenizer and the CLIP text
 * tower are fetched (or read from the cache), built and wired with the generator's defaults.
 */
export async function createTextToImage(model: ModelRef, opts: LoadOptions): Promise<TextToImage> {
  const resolved = await resolveModel(model, opts, opts.config);
  const { id: modelId, config } = resolved;
  const pairing = await pairedTokenizer(resolved, opts);
  const entry = describeModel(modelId, config, { tokenizer: pairing === undefined ? undefined : modelLabel(pairing) });
  if (entry.kind !== 'generator') {
    throw new MaskgenError('UNKNOWN_MODEL', `${quote(modelId)} is a ${entry.kind}, not a text-to-image generator; try turkeyju/generator_maskgen_vq_xl`);
  }
  const weights = resolved.openWeights().then((w) => ({ weights: w }));
  const [ckpt, tok, clip] = await Promise.allSettled([weights, loadTatitok(pairing ?? entry.tokenizer, opts), loadTextEncoder(opts)]);
  const release = () => Promise.all([tok, clip].map((r) => (r.status === 'fulfilled' ? r.value.dispose() : undefined)));
  try {
    if (ckpt.status === 'rejected') throw ckpt.reason;
    if (tok.status === 'rejected') throw tok.reason;
    if (clip.status === 'rejected') throw clip.reason;
    throwIfAborted(opts.signal, `loading ${modelId}`);
    opts.onProgress?.({ phase: 'load', what: 'generator', done: 0, total: 1 });
    const created = { runtime: opts.runtime, weights: ckpt.value.weights, config, signal: opts.signal, precision: opts.precision };
    if (entry.defaults.family === 'kl') {
      const generator = await MaskGenKL.create(created);
      opts.onProgress?.({ phase: 'load', what: 'generator', done: 1, total: 1 });
      return klTextToImage(modelId, entry.defaults, generator, tok.value, clip.value);
    }
    const generator = await MaskGenVQ.create(created);
    opts.onProgress?.({ phase: 'load', what: 'generator', done: 1, total: 1 });
    return vqTextToImage(modelId, entry.defaults, generator, tok.value, clip.value);
  } catch (e) {
    // Whatever loaded before the failure (or the cancel) releases its sessions.
    await release();
    throw e;
  }
}

function vqTextToImage(modelId: string, defaults: VqDefaults, generator: MaskGenVQ, tok: Tatitok, clip: ClipTextEncoder): TextToImage {
  return {
    modelId,
    family: 'vq',
    defaults,
    async edit(image, prompt, o) {
      const size = tok.spec.imageSize;
      const img = image.width === size && image.height === size ? image : resizeAndCenterCrop(image, size);
      const enc = await tok.encode(imageToTensor(img), { signal: o.signal });
      if (enc.mode !== 'vq') throw new MaskgenError('INVALID_ARGUMENT', 'edit: the tokenizer is not a VQ tokenizer');
      const N = generator.spec.numTokens;
      const keep = new Set(o.keep);
      for (const k of keep) if (!Number.isInteger(k) || k < 0 || k >= N) throw new MaskgenError('INVALID_ARGUMENT', `keep: token indices must be integers in [0, ${N}), got ${quote(k)}`);
      const ids = Array.from(enc.indices.data as BigInt64Array, (v, i) => (keep.has(i) ? Number(v) : generator.spec.codebookSize));
      return this.generate([prompt], { ...o, numImages: 1, initialIds: tensor('int64', [1, N], ids) } as GenerateOptions);
    },
    async generate(prompts, o: GenerateOptions = {}): Promise<GenerateResult> {
      const { n, steps, guidance, temperature, aestheticScore, seed, rng, enc, empty } = await generatePrelude(clip, prompts, o, {
        steps: defaults.steps,
        guidance: defaults.guidanceScale,
        temperature: defaults.randomizeTemperature,
      });
      const ids = await generator.generate({
        condition: enc.penultimate,
        pooled: enc.pooled,
        uncondCondition: empty.penultimate,
        uncondPooled: empty.pooled,
        rng,
        steps,
        guidanceScale: guidance,
        randomizeTemperature: temperature,
        aestheticScore,
        initialIds: (o as { initialIds?: Tensor }).initialIds,
        signal: o.signal,
        onStep: (step, total, current, predicted) => {
          o.onProgress?.({ phase: 'sample', step, total });
          if (!o.onPreview) return;
          if (!o.previewImages) {
            o.onPreview({ step, total, tokens: current });
            return;
          }
          void decodeImages(tok, predicted, enc.final, o.signal).then(
            (images) => o.onPreview?.({ step, total, tokens: current, images }),
            () => undefined,
          );
        },
      });
      o.onProgress?.({ phase: 'decode', done: 0, total: 1 });
      const images = await decodeImages(tok, ids, enc.final, o.signal);
      o.onProgress?.({ phase: 'decode', done: 1, total: 1 });
      return {
        images,
        tokens: ids,
        seed,
        settings: { steps, guidance, temperature, aestheticScore: aestheticScore ?? generator.spec.configAestheticScore, numImages: n },
      };
    },
    async decode(tokens, prompts, o = {}) {
      const list = checkPrompts(prompts);
      if (list.length !== tokens.dims[0]) {
        throw new MaskgenError('INVALID_ARGUMENT', `prompts: expected one prompt per token row (${tokens.dims[0]}), got ${list.length}`);
      }
      const enc = await clip.encode(list, { signal: o.signal });
      return decodeImages(tok, tokens, enc.final, o.signal);
    },
    async dispose() {
      await Promise.all([generator.dispose(), tok.dispose(), clip.dispose()]);
    },
  };
}

