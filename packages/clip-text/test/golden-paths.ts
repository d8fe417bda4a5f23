import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SafetensorsFile, memoryFile, toNumbers } from '@maskgen/core';
import { GOLDEN_DIR, goldenCase } from '../../../tooling/golden/src/case-folder.js';
import { MERGE_COUNT, vocabFromMerges } from '../src/bpe-vocab.js';
import { ClipTokenizer } from '../src/index.js';

/** The golden case folders (the golden runner's reader: a test fails when they are missing). */
export const GOLDEN = GOLDEN_DIR;
export const TOKENIZER_DIR = goldenCase('clip_tokenizer');
export const TEXT_DIR = goldenCase('clip_text');

export interface PromptDetail {
  prompt: string;
  cleaned: string;
  pre_tokens: string[];
  bpe: string[][];
  num_bpe_ids: number;
  truncated: boolean;
}

let cached: Promise<ClipTokenizer> | undefined;
/** The tokenizer built from the golden .gz (built once per test file). */
export function goldenTokenizer(): Promise<ClipTokenizer> {
  cached ??= ClipTokenizer.fromGzip(new Uint8Array(readFileSync(join(TOKENIZER_DIR, 'bpe_simple_vocab_16e6.txt.gz'))));
  return cached;
}

/** prompts.json of the tokenizer case. */
export function goldenPrompts(): { prompts: string[]; detail: PromptDetail[] } {
  return JSON.parse(readFileSync(join(TOKENIZER_DIR, 'prompts.json'), 'utf8'));
}

/** Reads an io tensor of a golden case as plain numbers, with its dims. */
export async function readIo(dir: string, name: string): Promise<{ dims: readonly number[]; values: number[] }> {
  const st = await SafetensorsFile.open(memoryFile(new Uint8Array(readFileSync(join(dir, 'io.safetensors')))));
  const t = await st.read(name);
  return { dims: t.dims, values: t.dtype === 'float32' ? Array.from(t.data as Float32Array) : toNumbers(t) };
}

/**
 * vocab.json + merges.txt as a Hugging Face CLIP repo ships them, built from the golden .gz the way
 * HF/open_clip build the vocabulary (byte chars, their `</w>` forms, merges, then the two specials).
 */
export function hfTokenizerFiles(): { vocabJson: string; mergesText: string } {
  const text = gunzipSync(readFileSync(join(TOKENIZER_DIR, 'bpe_simple_vocab_16e6.txt.gz'))).toString('utf8');
  const vocab = vocabFromMerges(text);
  const entries: Record<string, number> = {};
  vocab.decoder.forEach((tok, id) => (entries[tok === '<start_of_text>' ? '<|startoftext|>' : tok === '<end_of_text>' ? '<|endoftext|>' : tok] = id));
  const merges = text.split('\n').slice(1, MERGE_COUNT + 1);
  return { vocabJson: JSON.stringify(entries), mergesText: `#version: 0.2\n${merges.join('\n')}\n` };
}
