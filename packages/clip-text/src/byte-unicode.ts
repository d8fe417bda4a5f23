/**
 * CLIP's reversible byte ↔ character table. BPE runs over these 256 stand-in characters instead of
 * raw bytes so every UTF-8 byte is a printable symbol in the vocabulary (no whitespace or control
 * characters inside merges); printable Latin-1 bytes map to themselves, the rest to U+0100 upward.
 */
function buildTables(): { encode: string[]; decode: Map<string, number>; order: number[] } {
  const order: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) order.push(b);
  for (let b = 0xa1; b <= 0xac; b++) order.push(b);
  for (let b = 0xae; b <= 0xff; b++) order.push(b);
  const encode = new Array<string>(256);
  for (const b of order) encode[b] = String.fromCharCode(b);
  const printable = order.length;
  for (let b = 0; b < 256; b++) {
    if (encode[b] === undefined) {
      encode[b] = String.fromCharCode(256 + order.length - printable);
      order.push(b);
    }
  }
  const decode = new Map<string, number>();
  encode.forEach((ch, b) => decode.set(ch, b));
  return { encode, decode, order };
}

const TABLES = buildTables();

/** The 256 stand-in characters in open_clip's vocabulary order (printable bytes first, then the rest). */
export const BYTE_CHARS_IN_VOCAB_ORDER: readonly string[] = TABLES.order.map((b) => TABLES.encode[b]);

const utf8 = new TextEncoder();

/** Maps a pre-token to its byte stand-in string (the form BPE and the vocabulary use). */
export function toByteChars(token: string): string {
  const bytes = utf8.encode(token);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += TABLES.encode[bytes[i]];
  return out;
}

/**
 * Inverse of toByteChars: stand-in characters back to bytes. Characters outside the table (which
 * only a corrupted vocabulary could produce) are dropped rather than throwing mid-decode.
 */
export function fromByteChars(chars: string): Uint8Array {
  const out = new Uint8Array(chars.length);
  let n = 0;
  for (const ch of chars) {
    const b = TABLES.decode.get(ch);
    if (b !== undefined) out[n++] = b;
  }
  return out.subarray(0, n);
}
