import { type ClipTextEncoder, loadClipText } from '@maskgen/clip-text';
import { CLIP_REPO } from './model-zoo.js';
import { openSource } from './sources.js';
import type { LoadOptions } from './types.js';

/**
 * Loads the CLIP text tower the way MaskGen and TA-TiTok use it. Only the text tensors are read
 * (byte ranges) from the CLIP checkpoint, which also holds the vision tower.
 */
export async function loadTextEncoder(opts: LoadOptions, repoId = opts.textEncoder ?? CLIP_REPO): Promise<ClipTextEncoder> {
  const source = openSource(repoId, opts);
  return loadClipText(source, {
    runtime: opts.runtime,
    activation: opts.clipActivation,
    precision: opts.precision,
    signal: opts.signal,
    onProgress: opts.onProgress,
    access: 'ranges',
  } as Parameters<typeof loadClipText>[1]);
}
