import { MaskgenError, quote } from '@maskgen/core';

/** Most prompts one call accepts: CFG doubles the batch, and memory grows with it. */
export const MAX_PROMPTS = 64;
/** Longest prompt accepted in characters (CLIP keeps 75 tokens; far longer text is a caller bug). */
export const MAX_PROMPT_CHARS = 10_000;
/** Most images per prompt. */
export const MAX_IMAGES_PER_PROMPT = 64;

/** Normalises and checks prompts before any work starts, naming the bad one. */
export function checkPrompts(prompts: unknown): string[] {
  const list = typeof prompts === 'string' ? [prompts] : prompts;
  if (!Array.isArray(list) || list.length === 0) {
    throw new MaskgenError('INVALID_ARGUMENT', `prompts: expected a string or a non-empty array of strings, got ${quote(prompts)}`);
  }
  if (list.length > MAX_PROMPTS) throw new MaskgenError('INVALID_ARGUMENT', `prompts: at most ${MAX_PROMPTS} per call, got ${list.length}`);
  list.forEach((p, i) => {
    if (typeof p !== 'string') throw new MaskgenError('INVALID_ARGUMENT', `prompts[${i}]: expected a string, got ${quote(p)}`);
    if (p.length > MAX_PROMPT_CHARS) {
      throw new MaskgenError('INVALID_ARGUMENT', `prompts[${i}]: ${p.length} characters exceeds the limit of ${MAX_PROMPT_CHARS}`);
    }
  });
  return list as string[];
}

/** Checks an optional numeric setting against its allowed range, naming the option. */
export function checkNumber(name: string, v: unknown, min: number, max: number, integer = false): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new MaskgenError('INVALID_ARGUMENT', `${name}: expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${quote(v)}`);
  }
  return v;
}
