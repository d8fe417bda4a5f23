export { ClipTokenizer, type ClipTokenizerOptions } from './clip-tokenizer.js';
export { ClipTextEncoder, type ClipTextEncoderOptions, type EncodeOptions } from './clip-text-encoder.js';
export type { ClipTextEncoding } from './encoding-rows.js';
export { type ClipActivation, type TextTowerOptions, type TextTowerSpec, resolveTextTower } from './text-tower-config.js';
export { buildTextTowerGraph, TEXT_TOWER_IO } from './text-tower-graph.js';
export { loadClipText, loadClipTokenizer, type LoadClipTextOptions } from './load-clip-text.js';
/** The 256 byte symbols in the order open_clip numbers them (ids 0–255): what a merges file is written in. */
export { BYTE_CHARS_IN_VOCAB_ORDER } from './byte-unicode.js';
