import { DEFAULT_GENERATOR, checkPrompts, createTextToImage } from '@maskgen/pipeline';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { readPng } from '../image-io.js';
import { MODEL_SOURCE_FLAGS, loadOptions } from '../model-options.js';
import { encodePng, writeAtomic } from '../png-file.js';
import { checkOutputPath } from '../output-path.js';
import { ProgressBars } from '../progress-bar.js';
import type { Command } from './command.js';

const FLAGS = {
  keep: { type: 'string', help: 'token indices to keep, e.g. "0-63" or "0-15,32,40-47" (the rest is regenerated)' },
  output: { type: 'string', short: 'o', help: 'output PNG (default: edited.png)' },
  ...MODEL_SOURCE_FLAGS,
  seed: { type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'random seed (default: random, printed)' },
  steps: { type: 'int', min: 1, max: 1000, help: 'sampling steps' },
  guidance: { type: 'float', min: 0, max: 100, help: 'classifier-free guidance scale' },
  runtime: { type: 'string', choices: ['node', 'web'], help: 'onnxruntime-node (default) or onnxruntime-web (wasm)' },
  threads: { type: 'int', min: 1, max: 256, help: 'compute threads' },
  precision: {
    type: 'string',
    choices: ['float32', 'int8'],
    help: 'linear-layer weights: float32 (default, as the reference) or int8 (¼ the memory, faster, ≈1% off)',
  },
  'allow-nonfinite': { type: 'boolean', help: 'write images even when latents or pixels hold NaN/Inf (default: an error), with a warning' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress bars' },
} satisfies Flags;

/** Parses "0-15,32,40-47" into token indices. */
export function parseKeep(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--keep: expected indices or ranges like "0-63,70", got "${spec}"`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 1_000_000) throw new UsageError(`--keep: range "${part.trim()}" is reversed or too long`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out];
}

/** `maskgen edit in.png "prompt" --keep 0-63`: token-space editing (inpainting/variations) with any family that edits. */
export const edit: Command = {
  summary: "keep some of an image's tokens and regenerate the rest under a prompt",
  usage: () => usage('edit', 'in.png "prompt" --keep RANGES [options]', FLAGS),
  async run(argv, { signal }) {
    const { flags, args } = parseFlags(argv, FLAGS, { min: 2, max: 2, names: 'an input PNG and a prompt' });
    if (!flags.keep) throw new UsageError('--keep: required (which token indices to keep, e.g. "0-63")');
    const keep = parseKeep(flags.keep);
    checkPrompts([args[1]]);
    const file = await checkOutputPath(flags.output ?? 'edited.png', { flag: '-o/--output', extensions: ['.png'] });
    const img = await readPng(args[0], signal);
    const bars = new ProgressBars(process.stderr, flags.quiet);
    const { modelId, options } = await loadOptions(flags, flags.model ?? DEFAULT_GENERATOR, { signal, onProgress: bars.handle });
    const t2i = await createTextToImage(modelId, options);
    try {
      const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
      const out = await t2i.edit(img, args[1], { keep, seed, steps: flags.steps, guidance: flags.guidance, signal, onProgress: bars.handle });
      await writeAtomic(
        file,
        encodePng(out.images[0], { prompt: args[1], keep: flags.keep, seed: String(out.seed), model: t2i.modelId, Software: 'maskgen.js' }),
      );
      process.stderr.write(`wrote ${file} (seed ${out.seed})\n`);
      return 0;
    } finally {
      await t2i.dispose();
    }
  },
};
