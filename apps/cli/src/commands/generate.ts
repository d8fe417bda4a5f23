import { MaskgenError } from '@maskgen/core';
import { DEFAULT_GENERATOR, MAX_PROMPTS, MAX_PROMPT_CHARS, checkPrompts, createTextToImage, parsePromptList, planPromptItems } from '@maskgen/pipeline';
import { INPUT_LIMITS, readInput } from '../read-input.js';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { encodePng, gridImage, writeAtomic } from '../png-file.js';
import { ProgressBars } from '../progress-bar.js';
import { MODEL_SOURCE_FLAGS, loadOptions } from '../model-options.js';
import { checkOutputPath } from '../output-path.js';
import { DEFAULT_BATCH_SIZE, pendingItems, runPromptItems } from '../prompt-run.js';
import type { Command } from './command.js';

const FLAGS = {
  output: {
    type: 'string',
    short: 'o',
    help: 'output PNG (default: maskgen.png; with -n > 1: name-0.png, name-1.png, …); with --prompts: the folder (default .)',
  },
  ...MODEL_SOURCE_FLAGS,
  seed: { type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'random seed (default: random, printed)' },
  steps: { type: 'int', min: 1, max: 1000, aliases: ['num-inference-steps'], help: "sampling steps (default: the model's)" },
  guidance: { type: 'float', min: 0, max: 100, aliases: ['guidance-scale'], help: 'classifier-free guidance scale' },
  temperature: { type: 'float', min: 0, max: 100, help: 'sampling temperature' },
  aesthetic: { type: 'float', min: 0, max: 10, help: 'aesthetic score micro-condition (default 6.5)' },
  n: { type: 'int', short: 'n', min: 1, max: 64, aliases: ['num-images-per-prompt'], help: 'images per prompt (default 1)' },
  prompts: { type: 'string', help: 'file with one prompt per line (# comments); writes <index>-<slug>.png + results.jsonl into -o' },
  'batch-size': {
    type: 'int',
    min: 1,
    max: MAX_PROMPTS,
    help: `--prompts: images per model call (default ${DEFAULT_BATCH_SIZE}: measured fastest per image, docs/performance.md; at most ${MAX_PROMPTS}, what one call takes; KL models: always 1)`,
  },
  force: { type: 'boolean', help: '--prompts: regenerate images whose file exists (default: skip them, so a re-run resumes)' },
  grid: { type: 'boolean', help: 'write all images as one grid PNG' },
  runtime: { type: 'string', choices: ['node', 'web'], help: 'onnxruntime-node (default) or onnxruntime-web (wasm)' },
  threads: { type: 'int', min: 1, max: 256, help: 'compute threads' },
  precision: {
    type: 'string',
    choices: ['float32', 'int8'],
    help: 'linear-layer weights: float32 (default, as the reference) or int8 (¼ the memory, faster, ≈1% off)',
  },
  json: { type: 'boolean', help: 'print a JSON summary on stdout' },
  'allow-nonfinite': { type: 'boolean', help: 'write images even when latents or pixels hold NaN/Inf (default: an error), with a warning' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress bars' },
} satisfies Flags;

/** Reads a prompt file with the prompts' size cap, naming it when it cannot be read (also used by `batch`). */
export async function readPromptFile(file: string, signal: AbortSignal): Promise<string> {
  return new TextDecoder().decode(await readInput(file, '--prompts file', INPUT_LIMITS.prompts, signal));
}

/** `out.png` for one image, `out-0.png`, `out-1.png`, … for several. */
export function outputNames(base: string, count: number): string[] {
  if (count === 1) return [base];
  const dot = base.toLowerCase().endsWith('.png') ? base.length - 4 : base.length;
  return Array.from({ length: count }, (_, i) => `${base.slice(0, dot)}-${i}${base.slice(dot) || '.png'}`);
}

/** `maskgen generate "prompt"`: the main job — prompt in, PNG out, settings in the PNG's text chunks. */
export const generate: Command = {
  summary: 'generate images from text prompts',
  usage: () => usage('generate', '"prompt" [more prompts…] [options]', FLAGS),
  async run(argv, { signal }) {
    const { flags, args } = parseFlags(argv, FLAGS, { min: 0, max: 64, names: 'prompts' });
    if (flags.prompts) return runPromptFile(flags, args, signal);
    if (args.length === 0) throw new UsageError('expected a prompt (or --prompts file.txt)');
    if (flags['batch-size'] !== undefined || flags.force) throw new UsageError('--batch-size and --force apply to --prompts files');
    // Cheap checks first: a bad prompt costs nothing, and no long text ever reaches a model session.
    const prompts = checkPrompts(args);
    const base = await checkOutputPath(flags.output ?? 'maskgen.png', { flag: '-o/--output', extensions: ['.png'] });
    // Every file the run will write is checked too (out-1.png may be a folder), all before any model loads.
    const files = flags.grid ? [base] : outputNames(base, prompts.length * (flags.n ?? 1));
    for (const f of files) await checkOutputPath(f, { flag: '-o/--output', extensions: ['.png'] });
    const bars = new ProgressBars(process.stderr, flags.quiet);
    const { modelId, options } = await loadOptions(flags, flags.model ?? DEFAULT_GENERATOR, { signal, onProgress: bars.handle });
    const t2i = await createTextToImage(modelId, options);
    try {
      const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
      const result = await t2i.generate(prompts, {
        seed,
        steps: flags.steps,
        guidance: flags.guidance,
        temperature: flags.temperature,
        aestheticScore: flags.aesthetic,
        numImages: flags.n,
        signal,
        onProgress: bars.handle,
      });
      const n = flags.n ?? 1;
      const settings = Object.fromEntries(
        Object.entries({ ...result.settings, seed: result.seed, model: t2i.modelId, ...(flags.precision === 'int8' ? { precision: 'int8' } : {}) }).map(
          ([k, v]) => [k, String(v)],
        ),
      );
      const images = flags.grid ? [gridImage(result.images)] : result.images;
      for (let i = 0; i < images.length; i++) {
        const prompt = flags.grid ? prompts.join(' | ') : prompts[Math.floor(i / n)];
        await writeAtomic(files[i], encodePng(images[i], { prompt, ...settings, Software: 'maskgen.js' }));
      }
      if (flags.json) process.stdout.write(`${JSON.stringify({ files, seed: result.seed, settings: result.settings, prompts })}\n`);
      else process.stderr.write(`wrote ${files.join(', ')} (seed ${result.seed})\n`);
      return 0;
    } finally {
      await t2i.dispose();
    }
  },
};

type GenerateFlags = ReturnType<typeof parseFlags<typeof FLAGS>>['flags'];

/** `--prompts file.txt`: every line its own seeded image, resumable, recorded in results.jsonl. */
async function runPromptFile(flags: GenerateFlags, args: string[], signal: AbortSignal): Promise<number> {
  if (args.length) throw new UsageError(`--prompts reads the prompts from a file; got prompts on the command line too: ${args.map((a) => `"${a}"`).join(' ')}`);
  if (flags.grid) throw new UsageError('--grid works with prompts given on the command line; --prompts writes one file per image');
  const dir = await checkOutputPath(flags.output ?? '.', { flag: '-o/--output (a folder with --prompts)', folder: true });
  const list = parsePromptList(await readPromptFile(flags.prompts!, signal));
  for (const p of list) {
    if (p.prompt.length > MAX_PROMPT_CHARS)
      throw new MaskgenError('INVALID_ARGUMENT', `--prompts: line ${p.line} has ${p.prompt.length} characters; the limit is ${MAX_PROMPT_CHARS}`);
  }
  if (list.length === 0) throw new UsageError(`--prompts: ${JSON.stringify(flags.prompts)} holds no prompts (only blank or # lines)`);
  const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
  const items = planPromptItems(list, seed, flags.n ?? 1);
  const todo = await pendingItems(items, dir, flags.force);
  const note = (s: string) => (flags.json ? undefined : process.stderr.write(s));
  note(`${items.length} images from ${list.length} prompts (seed ${seed}); ${items.length - todo.length} already in ${dir}, ${todo.length} to generate\n`);
  if (todo.length === 0) return 0;
  const bars = new ProgressBars(process.stderr, flags.quiet);
  const { modelId, options } = await loadOptions(flags, flags.model ?? DEFAULT_GENERATOR, { signal, onProgress: bars.handle });
  const t2i = await createTextToImage(modelId, options);
  try {
    const settings = {
      steps: flags.steps,
      guidance: flags.guidance,
      temperature: flags.temperature,
      aestheticScore: flags.aesthetic,
      signal,
      onProgress: bars.handle,
    };
    const records = await runPromptItems(t2i, t2i.modelId, todo, dir, flags['batch-size'], settings, {
      onBatch: () => bars.nextRun(),
      onWritten: (r) => note(`wrote ${r.file} (seed ${r.seed})\n`),
    });
    if (flags.json) process.stdout.write(`${JSON.stringify({ dir, seed, written: records.map((r) => r.file), skipped: items.length - todo.length })}\n`);
    return 0;
  } finally {
    await t2i.dispose();
  }
}
