import { MaskgenError } from '@maskgen/core';
import { DEFAULT_GENERATOR, createTextToImage } from '@maskgen/pipeline';
import { readFile } from 'node:fs/promises';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { encodePng, gridImage, writeAtomic } from '../png-file.js';
import { ProgressBars } from '../progress-bar.js';
import { loadOptions } from '../model-options.js';
import type { Command } from './command.js';

const FLAGS = {
  output: { type: 'string', short: 'o', help: 'output PNG (default: maskgen.png; with -n > 1: name-0.png, name-1.png, …)' },
  model: { type: 'string', help: `generator repo id, folder, checkpoint file (.bin/.safetensors) or owner/name:file.bin[@rev] (default ${DEFAULT_GENERATOR})` },
  tokenizer: { type: 'string', help: 'TA-TiTok repo id, folder, checkpoint file or owner/name:file.bin (default: the generator\'s pairing)' },
  config: { type: 'string', help: 'generator config (YAML or JSON; default: config.json, or for a single file the same-stem .yaml/.yml/.json beside it, or the built-in one)' },
  'tokenizer-config': { type: 'string', help: 'tokenizer config (YAML or JSON), as --config' },
  'text-encoder': { type: 'string', help: 'CLIP repo id or folder (default openai/clip-vit-large-patch14-336)' },
  seed: { type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'random seed (default: random, printed)' },
  steps: { type: 'int', min: 1, max: 1000, help: 'sampling steps (default: the model\'s)' },
  guidance: { type: 'float', min: 0, max: 100, help: 'classifier-free guidance scale' },
  temperature: { type: 'float', min: 0, max: 100, help: 'sampling temperature' },
  aesthetic: { type: 'float', min: 0, max: 10, help: 'aesthetic score micro-condition (default 6.5)' },
  n: { type: 'int', short: 'n', min: 1, max: 64, help: 'images per prompt (default 1)' },
  prompts: { type: 'string', help: 'file with one prompt per line' },
  grid: { type: 'boolean', help: 'write all images as one grid PNG' },
  runtime: { type: 'string', choices: ['node', 'web'], help: 'onnxruntime-node (default) or onnxruntime-web (wasm)' },
  threads: { type: 'int', min: 1, max: 256, help: 'compute threads' },
  precision: { type: 'string', choices: ['float32', 'int8'], help: 'linear-layer weights: float32 (default, as the reference) or int8 (¼ the memory, faster, ≈1% off)' },
  json: { type: 'boolean', help: 'print a JSON summary on stdout' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress bars' },
} satisfies Flags;

async function readPrompts(args: string[], file: string | undefined): Promise<string[]> {
  const prompts = [...args];
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new MaskgenError('NOT_FOUND', `--prompts: cannot read ${JSON.stringify(file)}: ${(cause as Error).message}`, { cause });
    }
    prompts.push(...text.split(/\r?\n/).filter((l) => l.trim() !== ''));
  }
  if (prompts.length === 0) throw new UsageError('expected a prompt (or --prompts file.txt)');
  return prompts;
}

function outputNames(base: string, count: number): string[] {
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
    const prompts = await readPrompts(args, flags.prompts);
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
      const base = flags.output ?? 'maskgen.png';
      const settings = Object.fromEntries(Object.entries({ ...result.settings, seed: result.seed, model: t2i.modelId, ...(flags.precision === 'int8' ? { precision: 'int8' } : {}) }).map(([k, v]) => [k, String(v)]));
      const files = flags.grid ? [base] : outputNames(base, result.images.length);
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
