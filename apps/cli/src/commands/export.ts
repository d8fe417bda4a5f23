import { buildTextTowerGraph, resolveTextTower } from '@maskgen/clip-text';
import type { OnnxModel } from '@maskgen/core';
import { CLIP_REPO, DEFAULT_GENERATOR, type ResolvedModel, describeModel, generatorFamily, modelLabel, pairedTokenizer, resolveModel } from '@maskgen/pipeline';
import { buildDecoderGraph, buildEncoderGraph, resolveTatitok } from '@maskgen/tatitok';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { MODEL_SOURCE_FLAGS, loadOptions } from '../model-options.js';
import { setExternalLocation } from '../onnx-location.js';
import { checkOutputPath } from '../output-path.js';
import { fsError, writeAtomic } from '../png-file.js';
import { ProgressBars } from '../progress-bar.js';
import type { Command } from './command.js';

const FLAGS = {
  output: { type: 'string', short: 'o', help: 'folder to write the graphs, weights and manifest.json into (required)' },
  ...MODEL_SOURCE_FLAGS,
  quiet: { type: 'boolean', short: 'q', help: 'no progress bars' },
} satisfies Flags;

/**
 * `maskgen export -o DIR`: writes every graph a model needs as `<name>.onnx` with its referenced
 * weights packed into a side file, plus manifest.json — for hosting with any ONNX Runtime.
 */
export const exportCommand: Command = {
  summary: 'write the built ONNX graphs and their weights to a folder',
  usage: () => usage('export', '-o DIR [options]', FLAGS),
  async run(argv, { signal }) {
    const { flags } = parseFlags(argv, FLAGS, { min: 0, max: 0, names: 'no positional arguments' });
    if (!flags.output) throw new UsageError('-o/--output: required (the folder to write into)');
    await checkOutputPath(flags.output, { flag: '-o/--output (a folder)', folder: true, create: true });
    const bars = new ProgressBars(process.stderr, flags.quiet);
    const { modelId, options } = await loadOptions(flags, flags.model ?? DEFAULT_GENERATOR, { signal, onProgress: bars.handle });
    const open = async (m: ResolvedModel) => ({ config: m.config, weights: await m.openWeights({ signal, onProgress: bars.handle }) });
    const genModel = await resolveModel(modelId, options, options.config);
    const pairing = await pairedTokenizer(genModel, options);
    const entry = describeModel(genModel.id, genModel.config, { tokenizer: pairing === undefined ? undefined : modelLabel(pairing) });
    if (entry.kind !== 'generator') throw new UsageError(`--model: ${genModel.id} is a ${entry.kind}, not a generator`);
    const gen = await open(genModel);
    const tok = await open(await resolveModel(pairing ?? entry.tokenizer, options, options.tokenizerConfig));
    const clipModel = await resolveModel(options.textEncoder ?? CLIP_REPO, options, undefined, { configOptional: true });
    const clip = await open(clipModel);
    const tokSpec = resolveTatitok(tok.config, tok.weights);
    const models: OnnxModel[] = [
      buildTextTowerGraph(clip.weights, resolveTextTower(clip.weights, clip.config)),
      buildEncoderGraph(tok.weights, tokSpec),
      buildDecoderGraph(tok.weights, tokSpec),
      ...generatorFamily(entry.defaults.family).graphs(gen.weights, gen.config),
    ];
    const dir = resolve(flags.output);
    await mkdir(dir, { recursive: true }).catch((e) => {
      throw fsError(e, dir, 'create the folder');
    });
    const manifest = [];
    for (const m of models) {
      // The packer names its data file uniquely per process; hosted copies get a stable `<name>.weights.bin`.
      const packed = await m.pack({ signal });
      const weights = packed.externalData.length ? [`${m.name}.weights.bin`] : [];
      await writeAtomic(join(dir, `${m.name}.onnx`), weights.length ? setExternalLocation(packed.graph, weights[0]) : packed.graph);
      for (const e of packed.externalData) await writeAtomic(join(dir, weights[0]), e.data);
      const weightBytes = packed.externalData.reduce((s, e) => s + e.data.byteLength, 0);
      manifest.push({ name: m.name, graph: `${m.name}.onnx`, weights, weightBytes, inputs: m.inputNames, outputs: m.outputNames });
      if (!flags.quiet) process.stderr.write(`wrote ${m.name}.onnx (${(weightBytes / 1024 ** 2).toFixed(1)} MB of weights)\n`);
    }
    const text = `${JSON.stringify({ model: genModel.id, tokenizer: entry.tokenizer, textEncoder: clipModel.id, graphs: manifest }, null, 2)}\n`;
    await writeAtomic(join(dir, 'manifest.json'), new TextEncoder().encode(text));
    return 0;
  },
};
