import type { ClipTextEncoder, ClipTextEncoding } from '@maskgen/clip-text';
import { type Rng, SeededRng } from '@maskgen/core';
import { MAX_IMAGES_PER_PROMPT, checkNumber, checkPrompts } from './prompts.js';
import type { GenerateOptions } from './types.js';

/** Model defaults the shared prelude falls back to. */
export interface PreludeDefaults {
  steps: number;
  guidance: number;
  temperature: number;
  aestheticScore?: number;
}

/**
 * What both generator families do before sampling: validate prompts and settings (naming the bad
 * one), pick the seed and Rng, and encode the prompts (each repeated `numImages` times) and "".
 */
export async function generatePrelude(clip: ClipTextEncoder, prompts: string | readonly string[], o: GenerateOptions, d: PreludeDefaults) {
  const list = checkPrompts(prompts);
  const n = checkNumber('numImages', o.numImages, 1, MAX_IMAGES_PER_PROMPT, true) ?? 1;
  const steps = checkNumber('steps', o.steps, 1, 1000, true) ?? d.steps;
  const guidance = checkNumber('guidance', o.guidance, 0, 100) ?? d.guidance;
  const temperature = checkNumber('temperature', o.temperature, 0, 100) ?? d.temperature;
  const aestheticScore = checkNumber('aestheticScore', o.aestheticScore, 0, 10) ?? d.aestheticScore;
  const seed = checkNumber('seed', o.seed, 0, Number.MAX_SAFE_INTEGER, true) ?? Math.floor(Math.random() * 2 ** 31);
  const rng: Rng = o.rng ?? new SeededRng(seed);
  const expanded = list.flatMap((p) => Array.from({ length: n }, () => p));
  o.onProgress?.({ phase: 'encode-text', done: 0, total: 1 });
  const [enc, empty]: ClipTextEncoding[] = await Promise.all([clip.encode(expanded, { signal: o.signal }), clip.encode([''], { signal: o.signal })]);
  o.onProgress?.({ phase: 'encode-text', done: 1, total: 1 });
  return { n, steps, guidance, temperature, aestheticScore, seed, rng, enc, empty };
}
