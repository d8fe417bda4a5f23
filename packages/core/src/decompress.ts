import { MaskgenError } from './errors.js';

/** Compression formats of the platform's DecompressionStream that the library reads. */
export type CompressionFormat = 'gzip' | 'deflate' | 'deflate-raw';

/**
 * Inflates with the platform's DecompressionStream (Node ≥ 18, every current browser), so gzip
 * vocabularies, zip checkpoints and PNG images need no zlib dependency. Output beyond `limit` bytes
 * is refused (decompression bombs); corrupt input becomes a MaskgenError with `code` and `what`.
 */
export async function decompress(
  bytes: Uint8Array,
  format: CompressionFormat,
  opts: { limit?: number; what?: string; code?: MaskgenError['code'] } = {},
): Promise<Uint8Array> {
  const what = opts.what ?? 'data';
  const code = opts.code ?? 'INVALID_ARGUMENT';
  const DS = (globalThis as { DecompressionStream?: typeof DecompressionStream }).DecompressionStream;
  if (!DS) throw new MaskgenError('RUNTIME', `${what} is ${format}-compressed but this platform has no DecompressionStream`);
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DS(format)).getReader();
  const limit = opts.limit ?? Number.MAX_SAFE_INTEGER;
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw new MaskgenError(code, `${what}: inflates to more than ${limit} bytes`);
      }
      parts.push(value);
    }
  } catch (cause) {
    if (cause instanceof MaskgenError) throw cause;
    throw new MaskgenError(code, `${what}: not a valid ${format} stream (${(cause as Error)?.message ?? String(cause)})`, { cause });
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const part of parts) {
    out.set(part, o);
    o += part.byteLength;
  }
  return out;
}
