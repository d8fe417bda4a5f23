import {
  MaskgenError,
  type ModelSource,
  type NonFinitePolicy,
  type Runtime,
  type SourceOptions,
  type WeightPrecision,
  openStateDict,
  readJson,
  readText,
  throwIfAborted,
} from '@maskgen/core';
import { ClipTextEncoder } from './clip-text-encoder.js';
import { ClipTokenizer, type ClipTokenizerOptions } from './clip-tokenizer.js';
import type { TextTowerOptions } from './text-tower-config.js';

/** open_clip's merges file name (also what its Hugging Face hub copies ship). */
export const OPEN_CLIP_VOCAB_FILE = 'bpe_simple_vocab_16e6.txt.gz';

async function firstExisting(source: ModelSource, files: readonly string[], opts: SourceOptions): Promise<string | undefined> {
  for (const f of files) if (await source.exists(f, opts)) return f;
  return undefined;
}

/**
 * Loads the tokenizer from a model repo: `vocab.json` + `merges.txt` (Hugging Face CLIP repos), or
 * open_clip's `bpe_simple_vocab_16e6.txt.gz`. Both give identical ids.
 */
export async function loadClipTokenizer(source: ModelSource, opts: SourceOptions & ClipTokenizerOptions = {}): Promise<ClipTokenizer> {
  if ((await source.exists('vocab.json', opts)) && (await source.exists('merges.txt', opts))) {
    const [vocab, merges] = await Promise.all([readText(source, 'vocab.json', opts), readText(source, 'merges.txt', opts)]);
    return ClipTokenizer.fromVocabAndMerges(vocab, merges, opts);
  }
  if (await source.exists(OPEN_CLIP_VOCAB_FILE, opts)) {
    const h = await source.open(OPEN_CLIP_VOCAB_FILE, opts);
    return ClipTokenizer.fromGzip(await h.read(0, h.size, opts), opts);
  }
  throw new MaskgenError('NOT_FOUND', `${source.id}: no tokenizer files (vocab.json + merges.txt, or ${OPEN_CLIP_VOCAB_FILE})`);
}

/** Options of loadClipText: the runtime, tower overrides, and optional file names. */
export interface LoadClipTextOptions extends TextTowerOptions, SourceOptions, NonFinitePolicy {
  runtime: Runtime;
  /** Weights file; default: model.safetensors, else open_clip_model.safetensors. */
  weightsFile?: string;
  /** Config file; default: config.json, else open_clip_config.json, else none (ViT-L-14 assumed). */
  configFile?: string;
  /** An already parsed config tree, used instead of any config file. */
  config?: unknown;
  /** A tokenizer to use instead of loading one from the same source. */
  tokenizer?: ClipTokenizer;
  /** 'int8' runs the tower's linear layers on block-quantised weights (see ClipTextEncoderOptions). */
  precision?: WeightPrecision;
}

/**
 * Opens the CLIP text encoder of a repo such as openai/clip-vit-large-patch14-336. Only the
 * safetensors header is read here; the graph then references the text tensors by byte range, so
 * the vision tower's share of the 1.7 GB file is never read or copied.
 */
export async function loadClipText(source: ModelSource, opts: LoadClipTextOptions): Promise<ClipTextEncoder> {
  const weightsFile = opts.weightsFile ?? (await firstExisting(source, ['model.safetensors', 'open_clip_model.safetensors'], opts));
  if (!weightsFile) throw new MaskgenError('NOT_FOUND', `${source.id}: no model.safetensors or open_clip_model.safetensors`);
  const configFile = opts.config !== undefined ? undefined : (opts.configFile ?? (await firstExisting(source, ['config.json', 'open_clip_config.json'], opts)));
  const config = opts.config ?? (configFile ? await readJson(source, configFile, opts) : undefined);
  throwIfAborted(opts.signal, 'loading the CLIP text encoder');
  // A torch.save .bin (either container) is read as safely as safetensors.
  const weights = await openStateDict(await source.open(weightsFile, opts), opts);
  const tokenizer = opts.tokenizer ?? (await loadClipTokenizer(source, opts));
  opts.onProgress?.({ phase: 'load', what: 'clip-text', done: 0, total: 1 });
  const encoder = await ClipTextEncoder.create({ ...opts, weights, config, tokenizer });
  opts.onProgress?.({ phase: 'load', what: 'clip-text', done: 1, total: 1 });
  return encoder;
}
