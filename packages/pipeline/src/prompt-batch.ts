import { MaskgenError, type Rng, SeededRng } from '@maskgen/core';

/** One image of a prompt list: where it comes from, its own seed and its file name. */
export interface PromptItem {
  /** 1-based position among the prompts (comments and blank lines do not count). */
  index: number;
  /** 1-based line in the file, for messages. */
  line: number;
  prompt: string;
  /** 0-based image of this prompt (`-n`). */
  image: number;
  /** `deriveSeed(baseSeed, index, image)`: `generate(prompt, { seed })` alone reproduces this image. */
  seed: number;
  /** `<index>-<slug>.png`, or `<index>-<slug>-<image>.png` when several images per prompt. */
  file: string;
}

/**
 * Lines of a prompt file: `#` comments and blank lines skipped, surrounding whitespace trimmed, CRLF
 * accepted. Returns each prompt with its 1-based index among prompts and its line number.
 */
export function parsePromptList(text: string): { index: number; line: number; prompt: string }[] {
  const out: { index: number; line: number; prompt: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const prompt = raw.trim();
    if (prompt === '' || prompt.startsWith('#')) return;
    out.push({ index: out.length + 1, line: i + 1, prompt });
  });
  return out;
}

function mix32(h: number, v: number): number {
  let z = (h ^ Math.imul(v >>> 0, 0x9e3779b1)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The seed of image `image` of prompt `index` in a run with `baseSeed`: a 32-bit hash of the three
 * numbers (murmur3's finaliser over base low word, base high word, index, image), so each item has
 * its own stream, independent of batch size, order, skipped items or other lines. Written into
 * `results.jsonl` and the PNG, so `maskgen generate "<prompt>" --seed <seed>` reproduces the image alone.
 */
export function deriveSeed(baseSeed: number, index: number, image = 0): number {
  if (!Number.isSafeInteger(baseSeed) || baseSeed < 0)
    throw new MaskgenError('INVALID_ARGUMENT', `seed: expected a non-negative safe integer, got ${baseSeed}`);
  let h = mix32(0x6d61736b, baseSeed % 2 ** 32);
  h = mix32(h, Math.floor(baseSeed / 2 ** 32));
  h = mix32(h, index);
  return mix32(h, image);
}

/** A file-name-safe slug of a prompt: lower-case ASCII letters and digits joined by '-', at most 48 characters. */
export function promptSlug(prompt: string): string {
  const slug = prompt
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 48)
    .replace(/^-+|-+$/g, '');
  return slug || 'prompt';
}

/** Every image of a prompt list, in order, with seeds and file names (`imagesPerPrompt` = `-n`). */
export function planPromptItems(prompts: readonly { index: number; line: number; prompt: string }[], baseSeed: number, imagesPerPrompt = 1): PromptItem[] {
  return prompts.flatMap((p) =>
    Array.from({ length: imagesPerPrompt }, (_, image) => {
      const stem = `${String(p.index).padStart(4, '0')}-${promptSlug(p.prompt)}`;
      return { ...p, image, seed: deriveSeed(baseSeed, p.index, image), file: `${stem}${imagesPerPrompt > 1 ? `-${image}` : ''}.png` };
    }),
  );
}

/**
 * An Rng that gives every batch row its own seeded stream: a draw whose first dimension is a multiple
 * of the row count is split into equal row-major blocks, each drawn from that row's generator. A
 * batch of rows therefore samples exactly what each row would sample alone with its seed (for
 * samplers whose draws are batch-major: MaskGIT). Other draws are refused rather than mixed.
 */
export function rowSeededRng(seeds: readonly number[]): Rng {
  const rngs = seeds.map((s) => new SeededRng(s));
  if (rngs.length === 1) return rngs[0];
  const split = (dims: readonly number[], what: string, draw: (r: SeededRng, d: number[]) => Float32Array): Float32Array => {
    if (!dims.length || dims[0] % rngs.length !== 0) {
      throw new MaskgenError('NOT_IMPLEMENTED', `per-row seeds: a ${what} draw of shape [${dims.join(', ')}] does not split into ${rngs.length} rows`);
    }
    const sub = [dims[0] / rngs.length, ...dims.slice(1)];
    const parts = rngs.map((r) => draw(r, sub));
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
    return out;
  };
  return {
    uniform: (dims, low, high) => split(dims, 'uniform', (r, d) => r.uniform(d, low, high)),
    normal: (dims) => split(dims, 'normal', (r, d) => r.normal(d)),
    shuffle: (n) => {
      throw new MaskgenError('NOT_IMPLEMENTED', `per-row seeds: a shuffle of ${n} cannot be split into ${rngs.length} rows`);
    },
  };
}
