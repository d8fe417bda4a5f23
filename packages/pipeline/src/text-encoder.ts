import { type ClipTextEncoder, loadClipText } from '@maskgen/clip-text';
import { CLIP_REPO } from './model-zoo.js';
import { type ModelRef, resolveModel } from './model-file.js';
import { openSource } from './sources.js';
import type { LoadOptions } from './types.js';

/**
 * Loads the CLIP text tower the way MaskGen and TA-TiTok use it. Only the text tensors are read
 * (byte ranges) from the CLIP checkpoint, which also holds the vision tower.
 */
export async function loadTextEncoder(opts: LoadOptions, ref: ModelRef = opts.textEncoder ?? CLIP_REPO): Promise<ClipTextEncoder> {
  const single = typeof ref !== 'string' || ref.includes(':');
  // A single CLIP file takes its config from beside it when there is one; without, ViT-L-14 is assumed.
  const model = single ? await resolveModel(ref, opts, undefined, { configOptional: true }) : undefined;
  return loadClipText(model?.source ?? openSource(ref as string, opts), {
    runtime: opts.runtime,
    activation: opts.clipActivation,
    precision: opts.precision,
    signal: opts.signal,
    onProgress: opts.onProgress,
    allowNonFinite: opts.allowNonFinite,
    onWarning: opts.onWarning,
    access: 'ranges',
    ...(model ? { weightsFile: model.file, config: model.config } : {}),
  } as Parameters<typeof loadClipText>[1]);
}
