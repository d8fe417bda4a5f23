import { MaskgenError } from '@maskgen/core';
import { MAX_PROMPTS, createImageTokenizer } from '@maskgen/pipeline';
import { outputNames } from './generate.js';
import { INPUT_LIMITS, readInput } from '../read-input.js';
import { type Flags, parseFlags, usage } from '../args.js';
import { fitImage, readPng, tokensFromJson, tokensToJson } from '../image-io.js';
import { decodeNpy, encodeNpy } from '../npy.js';
import { MODEL_SOURCE_FLAGS, loadOptions } from '../model-options.js';
import { encodePng, writeAtomic } from '../png-file.js';
import { checkOutputPath } from '../output-path.js';
import { ProgressBars } from '../progress-bar.js';
import type { Command, CommandContext } from './command.js';

const DEFAULT_TOKENIZER = 'turkeyju/tokenizer_tatitok_bl128_vq';
const COMMON = {
  tokenizer: {
    type: 'string',
    help: `TA-TiTok repo id, folder, checkpoint file (.bin/.safetensors) or owner/name:file.bin[@rev] (default ${DEFAULT_TOKENIZER})`,
  },
  'tokenizer-config': {
    type: 'string',
    help: 'tokenizer config (YAML or JSON; default: config.json, or for a single file the same-stem .yaml/.yml/.json beside it, or the built-in one)',
  },
  'text-encoder': MODEL_SOURCE_FLAGS['text-encoder'],
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
const RECON = {
  ...COMMON,
  output: { type: 'string', short: 'o', help: 'output PNG (default: reconstruction.png)' },
  text: { type: 'string', help: 'text guiding the decoder (default "")' },
  seed: { type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'KL posterior sampling seed (default 0)' },
} satisfies Flags;
const ENCODE = {
  ...COMMON,
  output: { type: 'string', short: 'o', help: 'write the tokens here: JSON, or NumPy when the name ends in .npy (default: JSON on stdout)' },
  seed: RECON.seed,
} satisfies Flags;
const DECODE = { ...COMMON, output: { type: 'string', short: 'o', help: 'output PNG (default: decoded.png)' }, text: RECON.text } satisfies Flags;

async function open(flags: { tokenizer?: string; quiet?: boolean } & Record<string, unknown>, ctx: CommandContext, model?: string) {
  const bars = new ProgressBars(process.stderr, flags.quiet);
  const { modelId, options } = await loadOptions(flags, model ?? flags.tokenizer ?? DEFAULT_TOKENIZER, { signal: ctx.signal, onProgress: bars.handle });
  return createImageTokenizer(modelId, options);
}

/** `maskgen reconstruct in.png`: image → 1D tokens → image, decoded under optional text. */
export const reconstruct: Command = {
  summary: 'encode an image to tokens and decode it back',
  usage: () => usage('reconstruct', 'in.png|in.jpg [options]', RECON),
  async run(argv, ctx) {
    const { flags, args } = parseFlags(argv, RECON, { min: 1, max: 1, names: 'one input image (PNG or JPEG)' });
    const out = await checkOutputPath(flags.output ?? 'reconstruction.png', { flag: '-o/--output', extensions: ['.png'] });
    const input = await readPng(args[0], ctx.signal);
    const tok = await open(flags, ctx);
    try {
      const [img] = await tok.reconstruct([fitImage(input, tok.imageSize)], [flags.text ?? ''], { seed: flags.seed, signal: ctx.signal });
      await writeAtomic(out, encodePng(img, { source: args[0], tokenizer: tok.modelId, text: flags.text ?? '', Software: 'maskgen.js' }));
      process.stderr.write(`wrote ${out}\n`);
      return 0;
    } finally {
      await tok.dispose();
    }
  },
};

/** `maskgen encode in.png`: the image's tokens as JSON (model, mode, dims, tokens). */
export const encode: Command = {
  summary: 'encode an image to TA-TiTok tokens (JSON, or .npy with -o x.npy)',
  usage: () => usage('encode', 'in.png|in.jpg [options]', ENCODE),
  async run(argv, ctx) {
    const { flags, args } = parseFlags(argv, ENCODE, { min: 1, max: 1, names: 'one input image (PNG or JPEG)' });
    if (flags.output) await checkOutputPath(flags.output, { flag: '-o/--output', extensions: ['.json', '.npy'] });
    const input = await readPng(args[0], ctx.signal);
    const tok = await open(flags, ctx);
    try {
      const tokens = await tok.encode([fitImage(input, tok.imageSize)], { seed: flags.seed, signal: ctx.signal });
      // A local folder is recorded as its absolute path (not the internal `local:` id), so decode finds it again.
      const json = tokensToJson(tok.modelId.replace(/^local:/, ''), tok.mode, tokens);
      if (flags.output?.toLowerCase().endsWith('.npy')) await writeAtomic(flags.output, encodeNpy(tokens));
      else if (flags.output) await writeAtomic(flags.output, new TextEncoder().encode(json));
      else process.stdout.write(json);
      return 0;
    } finally {
      await tok.dispose();
    }
  },
};

/** `maskgen decode tokens.json --text "…"`: tokens back to an image, under the given text. */
export const decode: Command = {
  summary: 'decode TA-TiTok tokens (JSON or .npy from encode) to a PNG',
  usage: () => usage('decode', 'tokens.json|tokens.npy [options]', DECODE),
  async run(argv, ctx) {
    const { flags, args } = parseFlags(argv, DECODE, { min: 1, max: 1, names: 'one tokens file (.json or .npy)' });
    const out = await checkOutputPath(flags.output ?? 'decoded.png', { flag: '-o/--output', extensions: ['.png'] });
    const raw = await readInput(args[0], 'tokens file', INPUT_LIMITS.tokens, ctx.signal);
    const npy = args[0].toLowerCase().endsWith('.npy');
    if (npy && !flags.tokenizer) throw new MaskgenError('INVALID_ARGUMENT', '--tokenizer: required for .npy token files (they do not record the model)');
    const { file, tensor } = npy
      ? { file: undefined, tensor: decodeNpy(new Uint8Array(raw), args[0]) }
      : tokensFromJson(new TextDecoder().decode(raw), args[0]);
    if (tensor.dims[0] > MAX_PROMPTS)
      throw new MaskgenError(
        'INVALID_ARGUMENT',
        `tokens file ${JSON.stringify(args[0])}: a batch of ${tensor.dims[0]} rows; decode takes at most ${MAX_PROMPTS} at a time`,
      );
    const files = outputNames(out, tensor.dims[0]);
    for (const f of files) await checkOutputPath(f, { flag: '-o/--output', extensions: ['.png'] });
    const tok = await open(flags, ctx, flags.tokenizer ?? file?.model.replace(/^local:/, ''));
    try {
      const prompts = new Array(tensor.dims[0]).fill(flags.text ?? '');
      const images = await tok.decode(tensor, prompts, { signal: ctx.signal });
      // Every row of the batch is written (out.png for one, out-0.png, out-1.png, … for several).
      for (let i = 0; i < images.length; i++)
        await writeAtomic(files[i], encodePng(images[i], { tokenizer: tok.modelId, text: flags.text ?? '', Software: 'maskgen.js' }));
      process.stderr.write(`wrote ${files.join(', ')}\n`);
      return 0;
    } finally {
      await tok.dispose();
    }
  },
};
