import type { ClipTextEncoder } from '@maskgen/clip-text';
import { MaskgenError, type NonFinitePolicy, quote, throwIfAborted } from '@maskgen/core';
import { type Tatitok, imageToTensor, resizeAndCenterCrop } from '@maskgen/tatitok';
import { decodeImages } from './decode-images.js';
import { type FamilyGenerator, type GeneratorDefaults, type GeneratorFamily, generatorFamily } from './families/index.js';
import { generatePrelude } from './generate-prelude.js';
import { loadTatitok } from './image-tokenizer.js';
import { type ModelRef, modelLabel, pairedTokenizer, resolveModel } from './model-file.js';
import { describeModel } from './model-kind.js';
import { checkPrompts } from './prompts.js';
import { loadTextEncoder } from './text-encoder.js';
import type { GenerateOptions, GenerateResult, LoadOptions, TextToImage } from './types.js';

/**
 * One line to a working text-to-image model: the generator, its TA-TiTok tokenizer and the CLIP text
 * tower are fetched (or read from the cache), built and wired with the generator's defaults. The
 * generator's family (from the registry) says how to build and sample it.
 */
export async function createTextToImage(model: ModelRef, opts: LoadOptions): Promise<TextToImage> {
  const resolved = await resolveModel(model, opts, opts.config);
  const { id: modelId, config } = resolved;
  const pairing = await pairedTokenizer(resolved, opts);
  const entry = describeModel(modelId, config, { tokenizer: pairing === undefined ? undefined : modelLabel(pairing) });
  if (entry.kind !== 'generator') {
    throw new MaskgenError('UNKNOWN_MODEL', `${quote(modelId)} is a ${entry.kind}, not a text-to-image generator; try turkeyju/generator_maskgen_vq_xl`);
  }
  const family = generatorFamily(entry.defaults.family);
  // Each model is built as soon as its own files are there, not after all three: on a first run the
  // CLIP tower and the decoder build while the generator's gigabytes still download. The decoder is
  // built now because every image needs it; built on first use it would wait for sampling to end.
  const generator = resolved.openWeights().then(async (weights) => {
    throwIfAborted(opts.signal, `loading ${modelId}`);
    opts.onProgress?.({ phase: 'load', what: 'generator', done: 0, total: 1 });
    const made = await family.create({ runtime: opts.runtime, weights, config, signal: opts.signal, precision: opts.precision }, entry.defaults);
    opts.onProgress?.({ phase: 'load', what: 'generator', done: 1, total: 1 });
    return made;
  });
  const tokenizer = loadTatitok(pairing ?? entry.tokenizer, opts).then(async (t) => {
    await t.prepare({ signal: opts.signal }).catch(async (e: unknown) => {
      await t.dispose();
      throw e;
    });
    return t;
  });
  const [gen, tok, clip] = await Promise.allSettled([generator, tokenizer, loadTextEncoder(opts)]);
  if (gen.status === 'fulfilled' && tok.status === 'fulfilled' && clip.status === 'fulfilled') {
    if (!opts.signal?.aborted)
      return textToImage(modelId, family, entry.defaults, gen.value, tok.value, clip.value, { allowNonFinite: opts.allowNonFinite, onWarning: opts.onWarning });
  }
  // Whatever loaded before the failure (or the cancel) releases its sessions.
  await Promise.all([gen, tok, clip].map((r) => (r.status === 'fulfilled' ? r.value.dispose() : undefined)));
  throwIfAborted(opts.signal, `loading ${modelId}`);
  throw [gen, tok, clip].find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
}

/** The pipeline around any family's generator: prompts → tokens → images, previews, editing, re-decoding. */
function textToImage(
  modelId: string,
  family: GeneratorFamily,
  defaults: GeneratorDefaults,
  generator: FamilyGenerator,
  tok: Tatitok,
  clip: ClipTextEncoder,
  opts: NonFinitePolicy,
): TextToImage {
  const run = async (prompts: string | readonly string[], o: GenerateOptions, start?: unknown): Promise<GenerateResult> => {
    const p = await generatePrelude(clip, prompts, o, generator.prelude);
    const { tokens, settings } = await generator.sample({
      enc: p.enc,
      empty: p.empty,
      steps: p.steps,
      guidance: p.guidance,
      temperature: p.temperature,
      aestheticScore: p.aestheticScore,
      rng: p.rng,
      start,
      signal: o.signal,
      onStep: (step, total, current, predicted) => {
        o.onProgress?.({ phase: 'sample', step, total });
        if (!o.onPreview) return;
        if (!o.previewImages) return o.onPreview({ step, total, tokens: current });
        void decodeImages(tok, predicted, p.enc.final, o.signal, { allowNonFinite: true }).then(
          (images) => o.onPreview?.({ step, total, tokens: current, images }),
          () => undefined,
        );
      },
    });
    o.onProgress?.({ phase: 'decode', done: 0, total: 1 });
    const images = await decodeImages(tok, tokens, p.enc.final, o.signal, opts);
    o.onProgress?.({ phase: 'decode', done: 1, total: 1 });
    return { images, tokens, seed: p.seed, settings: { ...settings, numImages: p.n } };
  };
  return {
    modelId,
    family: family.name,
    defaults,
    generate: (prompts, o = {}) => run(prompts, o),
    async edit(image, prompt, o) {
      const editStart = generator.editStart;
      if (!family.edits || !editStart) throw new MaskgenError('NOT_IMPLEMENTED', `edit: ${family.title} models (${modelId}) cannot edit tokens`);
      const N = generator.numTokens;
      const keep = new Set(o.keep);
      for (const k of keep)
        if (!Number.isInteger(k) || k < 0 || k >= N)
          throw new MaskgenError('INVALID_ARGUMENT', `keep: token indices must be integers in [0, ${N}), got ${quote(k)}`);
      checkPrompts(prompt);
      const size = tok.spec.imageSize;
      const img = image.width === size && image.height === size ? image : resizeAndCenterCrop(image, size);
      const enc = await tok.encode(imageToTensor(img), { signal: o.signal });
      return run([prompt], { ...o, numImages: 1 }, editStart(enc, keep));
    },
    async decode(tokens, prompts, o = {}) {
      const list = checkPrompts(prompts);
      if (list.length !== tokens.dims[0]) {
        throw new MaskgenError('INVALID_ARGUMENT', `prompts: expected one prompt per token row (${tokens.dims[0]}), got ${list.length}`);
      }
      const enc = await clip.encode(list, { signal: o.signal });
      return decodeImages(tok, tokens, enc.final, o.signal, opts);
    },
    async dispose() {
      await Promise.all([generator.dispose(), tok.dispose(), clip.dispose()]);
    },
  };
}
