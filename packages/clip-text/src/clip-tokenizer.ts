import { MaskgenError, type Tensor, quote, tensor } from '@maskgen/core';
import { BytePairEncoder } from './bpe.js';
import { type BpeVocab, vocabFromJson, vocabFromMerges } from './bpe-vocab.js';
import { fromByteChars, toByteChars } from './byte-unicode.js';
import { gunzip } from './gunzip.js';
import { cleanText, preTokenize } from './prompt-text.js';

/** Options shared by every way of building a tokenizer. */
export interface ClipTokenizerOptions {
  /** Sequence length of `encode` (SOT + tokens + EOT, padded with 0); CLIP uses 77. */
  contextLength?: number;
}

const lenient = new TextDecoder('utf-8');

/**
 * open_clip's SimpleTokenizer for ViT-L-14-336, id for id: ftfy-style cleaning, html unescape,
 * whitespace collapse, lower-casing, its pre-token regex, byte-level BPE with `</w>`, SOT/EOT,
 * zero padding, and truncation that keeps EOT as the last id.
 */
export class ClipTokenizer {
  readonly contextLength: number;
  readonly sot: number;
  readonly eot: number;
  private readonly bpe: BytePairEncoder;

  constructor(
    readonly vocab: BpeVocab,
    opts: ClipTokenizerOptions = {},
  ) {
    const ctx = opts.contextLength ?? 77;
    if (!Number.isInteger(ctx) || ctx < 2) throw new MaskgenError('INVALID_ARGUMENT', `contextLength: ${quote(ctx)}; expected an integer ≥ 2`);
    this.contextLength = ctx;
    this.sot = vocab.sot;
    this.eot = vocab.eot;
    this.bpe = new BytePairEncoder(vocab);
  }

  /** From open_clip's `bpe_simple_vocab_16e6.txt.gz` (gzip bytes, or the already-inflated file). */
  static async fromGzip(bytes: Uint8Array, opts?: ClipTokenizerOptions): Promise<ClipTokenizer> {
    const text = new TextDecoder('utf-8').decode(await gunzip(bytes, 'bpe_simple_vocab_16e6.txt.gz'));
    return new ClipTokenizer(vocabFromMerges(text), opts);
  }

  /** From a Hugging Face CLIP repo's `vocab.json` and `merges.txt` (same ids as the .gz). */
  static fromVocabAndMerges(vocabJson: string | Record<string, number>, mergesText: string, opts?: ClipTokenizerOptions): ClipTokenizer {
    return new ClipTokenizer(vocabFromJson(vocabJson, mergesText), opts);
  }

  /** Number of ids in the vocabulary (49408 for CLIP). */
  get vocabSize(): number {
    return this.vocab.decoder.length;
  }

  /** The cleaned text open_clip tokenizes (ftfy, html unescape, whitespace, lower-case). */
  clean(text: string): string {
    if (typeof text !== 'string') throw new MaskgenError('INVALID_ARGUMENT', `prompt must be a string, got ${quote(text)}`);
    return cleanText(text);
  }

  /** Pre-tokens of a prompt, after cleaning (debugging aid; matches golden `pre_tokens`). */
  preTokens(text: string): string[] {
    return preTokenize(this.clean(text));
  }

  /** BPE pieces per pre-token in stand-in characters (debugging aid; matches golden `bpe`). */
  bpePieces(text: string): string[][] {
    return this.preTokens(text).map((t) => this.bpe.pieces(toByteChars(t)));
  }

  /** Token ids without SOT/EOT (open_clip's `encode`); stops early once `limit` ids are known. */
  encodeText(text: string, limit = Infinity): number[] {
    const out: number[] = [];
    for (const token of this.preTokens(text)) {
      for (const id of this.bpe.ids(toByteChars(token))) out.push(id);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** One prompt → `contextLength` ids: SOT, tokens, EOT, zeros; if too long, cut with EOT kept last. */
  encode(text: string): Int32Array {
    const ctx = this.contextLength;
    const ids = this.encodeText(text, ctx - 1);
    const out = new Int32Array(ctx);
    out[0] = this.sot;
    const n = Math.min(ids.length, ctx - 2);
    for (let i = 0; i < n; i++) out[i + 1] = ids[i];
    out[ids.length > ctx - 2 ? ctx - 1 : n + 1] = this.eot;
    return out;
  }

  /** Prompts → int64 ids [N, contextLength], the text tower's input. */
  encodeBatch(texts: readonly string[]): Tensor<'int64'> {
    if (!Array.isArray(texts)) throw new MaskgenError('INVALID_ARGUMENT', `prompts must be an array of strings, got ${quote(texts)}`);
    const ctx = this.contextLength;
    const data = new BigInt64Array(texts.length * ctx);
    texts.forEach((t, i) => this.encode(t).forEach((id, j) => (data[i * ctx + j] = BigInt(id))));
    return tensor('int64', [texts.length, ctx], data);
  }

  /**
   * Ids → text as open_clip decodes ("</w>" becomes a space). With `skipSpecialTokens` (default)
   * SOT/EOT and the padding after the last EOT are dropped and the trailing space is trimmed.
   */
  decode(ids: ArrayLike<number | bigint>, opts: { skipSpecialTokens?: boolean } = {}): string {
    let list = Array.from(ids, Number);
    const skip = opts.skipSpecialTokens ?? true;
    if (skip) {
      const last = list.lastIndexOf(this.eot);
      if (last >= 0) list = list.slice(0, last);
      list = list.filter((id) => id !== this.sot && id !== this.eot);
    }
    const chars = list.map((id) => {
      const tok = this.vocab.decoder[id];
      if (tok === undefined) throw new MaskgenError('INVALID_ARGUMENT', `token id ${quote(id)} is outside the vocabulary (0..${this.vocabSize - 1})`);
      return tok;
    });
    const text = lenient.decode(fromByteChars(chars.join(''))).replaceAll('</w>', ' ');
    return skip ? text.trimEnd() : text;
  }
}
