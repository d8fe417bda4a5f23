import {
  MaskgenError,
  graphOptionsFor,
  type ProgressCallback,
  type Runtime,
  type SafetensorsFile,
  type Session,
  type Tensor,
  quote,
  throwIfAborted,
  type WeightPrecision,
} from '@maskgen/core';
import type { ClipTokenizer } from './clip-tokenizer.js';
import { type ClipTextEncoding, assembleRows, pickIdRows, rowEquals } from './encoding-rows.js';
import { type TextTowerOptions, type TextTowerSpec, resolveTextTower } from './text-tower-config.js';
import { TEXT_TOWER_IO, buildTextTowerGraph } from './text-tower-graph.js';

/** What ClipTextEncoder.create needs: a runtime, the checkpoint, its config and a tokenizer. */
export interface ClipTextEncoderOptions extends TextTowerOptions {
  runtime: Runtime;
  /** A CLIP checkpoint in HF or open_clip layout; a full CLIP file is fine (only text tensors are read). */
  weights: SafetensorsFile;
  /** config.json (HF CLIPConfig / CLIPTextConfig, or open_clip's model config); optional for ViT-L-14. */
  config?: unknown;
  /** Needed by `encode(prompts)`; `encodeIds` works without one. */
  tokenizer?: ClipTokenizer;
  signal?: AbortSignal;
  /** 'int8' runs the large linear layers on block-quantised weights: ¼ the weight memory, faster where memory-bound, slightly less exact (docs/performance.md). */
  precision?: WeightPrecision;
}

/** Per-call options of encode. */
export interface EncodeOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/**
 * CLIP ViT-L-14-336's text tower as open_clip runs it for MaskGen and TA-TiTok: prompts in, the
 * penultimate hidden states, ln_final states and pooled projection out. The unconditional ("")
 * encoding used by classifier-free guidance is computed once and reused.
 */
export class ClipTextEncoder {
  private empty: Promise<ClipTextEncoding> | undefined;

  private constructor(
    readonly spec: TextTowerSpec,
    readonly tokenizer: ClipTokenizer | undefined,
    private readonly session: Session,
  ) {}

  /** Builds the graph from the checkpoint's names and shapes and opens a session on it. */
  static async create(opts: ClipTextEncoderOptions): Promise<ClipTextEncoder> {
    const spec = resolveTextTower(opts.weights, opts.config, opts);
    const tok = opts.tokenizer;
    if (tok && tok.contextLength !== spec.contextLength) {
      throw new MaskgenError('SHAPE_MISMATCH', `tokenizer context length ${tok.contextLength} differs from the text tower's ${spec.contextLength} positions`);
    }
    if (tok && tok.vocabSize > spec.vocabSize) {
      throw new MaskgenError('SHAPE_MISMATCH', `tokenizer has ${tok.vocabSize} ids but the token embedding only ${spec.vocabSize} rows`);
    }
    throwIfAborted(opts.signal, 'building the CLIP text tower');
    const session = await opts.runtime.createSession(buildTextTowerGraph(opts.weights, spec, await graphOptionsFor(opts.runtime, opts.precision)), {
      signal: opts.signal,
    });
    return new ClipTextEncoder(spec, opts.tokenizer, session);
  }

  /** Encodes prompts (rows that tokenize like "" come from the cached empty-prompt encoding). */
  async encode(prompts: string | readonly string[], opts: EncodeOptions = {}): Promise<ClipTextEncoding> {
    const list = typeof prompts === 'string' ? [prompts] : prompts;
    if (!Array.isArray(list) || list.length === 0) {
      throw new MaskgenError('INVALID_ARGUMENT', `prompts: ${quote(prompts)}; expected a string or a non-empty array of strings`);
    }
    throwIfAborted(opts.signal, 'CLIP text encoding');
    const tok = this.requireTokenizer();
    const ids = tok.encodeBatch(list);
    const emptyIds = tok.encodeBatch(['']);
    const fresh = list.map((_, r) => r).filter((r) => !rowEquals(ids, r, emptyIds));
    let result: ClipTextEncoding;
    if (fresh.length === list.length) result = await this.encodeIds(ids, opts);
    else {
      const sources = [await this.encodeEmpty(opts)];
      if (fresh.length > 0) sources.push(await this.encodeIds(pickIdRows(ids, fresh), opts));
      let next = 0;
      result = assembleRows(
        sources,
        list.map((_, r) => (fresh[next] === r ? { src: 1, row: next++ } : { src: 0, row: 0 })),
      );
    }
    opts.onProgress?.({ phase: 'encode-text', done: list.length, total: list.length });
    return result;
  }

  /**
   * The encoding of the empty prompt (classifier-free guidance's unconditional input), computed once
   * per encoder and shared by every caller: treat its tensors as read-only.
   */
  encodeEmpty(opts: { signal?: AbortSignal } = {}): Promise<ClipTextEncoding> {
    if (!this.empty) {
      const run = this.encodeIds(this.requireTokenizer().encodeBatch(['']), opts);
      this.empty = run;
      run.catch(() => {
        if (this.empty === run) this.empty = undefined; // an aborted first call must not poison the cache
      });
    }
    return this.empty;
  }

  /** Runs the tower on token ids int64 [B, contextLength] (from this or any open_clip tokenizer). */
  async encodeIds(ids: Tensor, opts: { signal?: AbortSignal } = {}): Promise<ClipTextEncoding> {
    const L = this.spec.contextLength;
    if (ids.dtype !== 'int64' || ids.dims.length !== 2 || ids.dims[1] !== L) {
      throw new MaskgenError('INVALID_ARGUMENT', `ids: ${ids.dtype} ${quote(ids.dims)}; expected int64 [batch, ${L}]`);
    }
    for (const v of ids.data as BigInt64Array) {
      if (v < 0n || v >= BigInt(this.spec.vocabSize)) throw new MaskgenError('INVALID_ARGUMENT', `ids: token id ${v} is outside 0..${this.spec.vocabSize - 1}`);
    }
    throwIfAborted(opts.signal, 'CLIP text encoding');
    const out = await this.session.run({ [TEXT_TOWER_IO.ids]: ids }, { signal: opts.signal });
    const f32 = (name: string) => out[name] as Tensor<'float32'>;
    return { ids: ids as Tensor<'int64'>, penultimate: f32(TEXT_TOWER_IO.penultimate), final: f32(TEXT_TOWER_IO.final), pooled: f32(TEXT_TOWER_IO.pooled) };
  }

  private requireTokenizer(): ClipTokenizer {
    if (!this.tokenizer) {
      throw new MaskgenError('INVALID_ARGUMENT', 'this encoder was created without a tokenizer; pass { tokenizer } to create() or call encodeIds()');
    }
    return this.tokenizer;
  }

  /** Releases the session. */
  async dispose(): Promise<void> {
    this.empty = undefined;
    await this.session.dispose();
  }
}
