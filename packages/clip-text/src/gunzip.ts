import { decompress } from '@maskgen/core';

/** True when the bytes start with the gzip magic number (so plain-text vocabularies pass through). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates open_clip's `bpe_simple_vocab_16e6.txt.gz` with core's DecompressionStream helper (no zlib
 * dependency). Bytes that are not gzip are returned unchanged: callers may hand in the inflated file.
 */
export async function gunzip(bytes: Uint8Array, name = 'vocabulary'): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  return decompress(bytes, 'gzip', { what: name, code: 'INVALID_TOKENIZER_FILE', limit: 256 * 1024 * 1024 });
}
