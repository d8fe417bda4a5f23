import { MaskgenError, quote } from '@maskgen/core';
import type { BpeVocab } from './bpe-vocab.js';
import { EOT_TEXT, SOT_TEXT } from './bpe-vocab.js';

/** Bounded so a long-lived page that tokenizes endless distinct words cannot grow without limit. */
const DEFAULT_CACHE_ENTRIES = 200_000;

/**
 * Byte-level BPE over CLIP's stand-in characters, merging the lowest-ranked adjacent pair until none
 * is in the merge table (open_clip's `SimpleTokenizer.bpe`). Results are cached per pre-token:
 * prompts repeat words, so 10k prompts cost little more than their distinct words.
 */
export class BytePairEncoder {
  private readonly cache = new Map<string, readonly number[]>();

  constructor(
    readonly vocab: BpeVocab,
    private readonly maxCacheEntries = DEFAULT_CACHE_ENTRIES,
  ) {}

  /** The BPE pieces of one pre-token given as stand-in characters (special tokens pass through whole). */
  pieces(token: string): string[] {
    if (token === SOT_TEXT || token === EOT_TEXT) return [token];
    if (token.length === 0) return [];
    let word = token.split('');
    word[word.length - 1] += '</w>';
    const ranks = this.vocab.ranks;
    while (word.length > 1) {
      let best = Infinity;
      let first = '';
      let second = '';
      for (let i = 0; i < word.length - 1; i++) {
        const r = ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < best) {
          best = r;
          first = word[i];
          second = word[i + 1];
        }
      }
      if (best === Infinity) break;
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i++;
        } else merged.push(word[i]);
      }
      word = merged;
    }
    return word;
  }

  /** Vocabulary ids of one pre-token (cached). */
  ids(token: string): readonly number[] {
    const hit = this.cache.get(token);
    if (hit) return hit;
    const ids = this.pieces(token).map((p) => {
      const id = this.vocab.encoder.get(p);
      if (id === undefined) {
        throw new MaskgenError('INVALID_TOKENIZER_FILE', `BPE piece ${quote(p)} is not in the vocabulary; vocab and merges files do not belong together`);
      }
      return id;
    });
    if (this.cache.size >= this.maxCacheEntries) this.cache.clear();
    this.cache.set(token, ids);
    return ids;
  }

  /** Number of cached pre-tokens (for tests and memory diagnostics). */
  get cacheSize(): number {
    return this.cache.size;
  }
}
