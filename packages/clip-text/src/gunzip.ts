import { MaskgenError } from '@maskgen/core';

/** True when the bytes start with the gzip magic number (so plain-text vocabularies pass through). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates a .gz file with the platform's DecompressionStream (Node ≥ 18, all current browsers),
 * so the tokenizer can read open_clip's `bpe_simple_vocab_16e6.txt.gz` without a zlib dependency.
 * Bytes that are not gzip are returned unchanged: callers may hand in the already-inflated file.
 */
export async function gunzip(bytes: Uint8Array, name = 'vocabulary'): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const DS = (globalThis as { DecompressionStream?: typeof DecompressionStream }).DecompressionStream;
  if (!DS) {
    throw new MaskgenError(
      'RUNTIME',
      `${name} is gzip-compressed but this platform has no DecompressionStream; pass the inflated text or vocab.json + merges.txt instead`,
    );
  }
  const ds = new DS('gzip');
  const writer = ds.writable.getWriter();
  // Write and read concurrently: awaiting the write first would stall on stream backpressure.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = ds.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch (cause) {
    throw new MaskgenError('INVALID_TOKENIZER_FILE', `${name}: not a valid gzip stream (${(cause as Error)?.message ?? String(cause)})`, { cause });
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
