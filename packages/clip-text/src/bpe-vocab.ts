import { MaskgenError, describeJsonError, quote } from '@maskgen/core';
import { BYTE_CHARS_IN_VOCAB_ORDER } from './byte-unicode.js';

/** open_clip's start token; literal "<start_of_text>" in a prompt also becomes this id. */
export const SOT_TEXT = '<start_of_text>';
/** open_clip's end token; literal "<end_of_text>" in a prompt also becomes this id (and pools there). */
export const EOT_TEXT = '<end_of_text>';
/** Hugging Face's vocab.json spells the same two tokens differently (same ids). */
const HF_SPECIALS: Record<string, string> = { '<|startoftext|>': SOT_TEXT, '<|endoftext|>': EOT_TEXT };

/** Merges kept from the file: open_clip and HF both slice lines [1, 49152-256-2+1). */
export const MERGE_COUNT = 49152 - 256 - 2;

/** A loaded BPE vocabulary: ids by token, tokens by id, merge ranks keyed by "first second". */
export interface BpeVocab {
  readonly encoder: ReadonlyMap<string, number>;
  readonly decoder: readonly string[];
  readonly ranks: ReadonlyMap<string, number>;
  readonly sot: number;
  readonly eot: number;
}

function parseMerges(text: string, name: string): [string, string][] {
  const lines = text.split('\n').slice(1, MERGE_COUNT + 1);
  const merges: [string, string][] = [];
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i].split(/\s+/).filter((p) => p.length > 0);
    if (parts.length === 0 && i === lines.length - 1) break; // trailing newline at end of file
    if (parts.length !== 2) {
      throw new MaskgenError('INVALID_TOKENIZER_FILE', `${name}: line ${i + 2} is ${quote(lines[i])}; expected two symbols separated by a space`);
    }
    merges.push([parts[0], parts[1]]);
  }
  if (merges.length === 0) throw new MaskgenError('INVALID_TOKENIZER_FILE', `${name}: no merges found after the header line`);
  return merges;
}

function rankMap(merges: readonly [string, string][]): Map<string, number> {
  const ranks = new Map<string, number>();
  merges.forEach(([a, b], i) => ranks.set(`${a} ${b}`, i)); // later duplicates win, as in Python's dict(zip(...))
  return ranks;
}

/**
 * Builds the vocabulary exactly as open_clip's SimpleTokenizer does from bpe_simple_vocab_16e6.txt:
 * 256 byte characters, the same with `</w>`, one token per merge, then SOT and EOT (49406, 49407).
 */
export function vocabFromMerges(mergesText: string, name = 'bpe_simple_vocab_16e6.txt'): BpeVocab {
  const merges = parseMerges(mergesText, name);
  const decoder: string[] = [...BYTE_CHARS_IN_VOCAB_ORDER, ...BYTE_CHARS_IN_VOCAB_ORDER.map((c) => `${c}</w>`)];
  for (const [a, b] of merges) decoder.push(a + b);
  decoder.push(SOT_TEXT, EOT_TEXT);
  const encoder = new Map<string, number>();
  decoder.forEach((tok, id) => encoder.set(tok, id)); // later duplicates win here too
  return { encoder, decoder, ranks: rankMap(merges), sot: encoder.get(SOT_TEXT)!, eot: encoder.get(EOT_TEXT)! };
}

/**
 * Builds the vocabulary from a Hugging Face CLIP repo's vocab.json + merges.txt. Special tokens are
 * renamed to open_clip's spelling so that literal "<end_of_text>" in a prompt behaves as in open_clip.
 */
export function vocabFromJson(vocabJson: string | Record<string, number>, mergesText: string): BpeVocab {
  let raw: unknown = vocabJson;
  if (typeof vocabJson === 'string') {
    try {
      raw = JSON.parse(vocabJson);
    } catch (cause) {
      throw new MaskgenError('INVALID_TOKENIZER_FILE', `vocab.json is ${describeJsonError(cause, vocabJson)}`, { cause });
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MaskgenError('INVALID_TOKENIZER_FILE', `vocab.json must be an object of token → id, got ${quote(raw, 40)}`);
  }
  const encoder = new Map<string, number>();
  const decoder: string[] = [];
  for (const [tok, id] of Object.entries(raw as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) > 10_000_000) {
      throw new MaskgenError('INVALID_TOKENIZER_FILE', `vocab.json: token ${quote(tok)} has id ${quote(id)}; expected a non-negative integer`);
    }
    const name = HF_SPECIALS[tok] ?? tok;
    encoder.set(name, id as number);
    decoder[id as number] = name;
  }
  const sot = encoder.get(SOT_TEXT);
  const eot = encoder.get(EOT_TEXT);
  if (sot === undefined || eot === undefined) {
    throw new MaskgenError('INVALID_TOKENIZER_FILE', 'vocab.json has no <|startoftext|>/<|endoftext|> (or <start_of_text>/<end_of_text>) entries');
  }
  return { encoder, decoder, ranks: rankMap(parseMerges(mergesText, 'merges.txt')), sot, eot };
}
