export { ClipTokenizer, type ClipTokenizerOptions } from './clip-tokenizer.js';
export { ClipTextEncoder, type ClipTextEncoderOptions, type EncodeOptions } from './clip-text-encoder.js';
export type { ClipTextEncoding } from './encoding-rows.js';
export { type ClipActivation, type TextTowerOptions, type TextTowerSpec, resolveTextTower } from './text-tower-config.js';
export { buildTextTowerGraph, TEXT_TOWER_IO } from './text-tower-graph.js';
export { type TextTowerLayout, detectLayout } from './text-tower-weights.js';
export { loadClipText, loadClipTokenizer, type LoadClipTextOptions, OPEN_CLIP_VOCAB_FILE } from './load-clip-text.js';
export { type BpeVocab, vocabFromJson, vocabFromMerges, MERGE_COUNT } from './bpe-vocab.js';
export { cleanText, fixText, preTokenize, PRE_TOKEN_PATTERN } from './prompt-text.js';
