// Derived from ftfy 6.3 (Apache-2.0, (C) Robyn Speer), rewritten in TypeScript and changed for MaskGen.js; see NOTICE.
/**
 * Byte-level steps of ftfy's encoding repair, applied to the bytes a misread text re-encodes to:
 * restoring A0 bytes that became spaces, marking lost bytes as U+FFFD, and decoding UTF-8 with
 * the variants ftfy accepts (CESU-8 surrogate pairs, Java's C0 80 null). Regexes run over bytes
 * held as Latin-1 characters, so they read like Python's bytes patterns.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const toBinary = (bytes: Uint8Array) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
};
const fromBinary = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Strict UTF-8 (no replacement; a BOM is kept as U+FEFF like Python's codec), or null. */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

const CESU8_PAIR = /\xed[\xa0-\xaf][\x80-\xbf]\xed[\xb0-\xbf][\x80-\xbf]|\xc0\x80/g;

/** ftfy's "utf-8-variants": UTF-8 that may also hold CESU-8 surrogate pairs and C0 80 nulls. */
export function decodeUtf8Variants(bytes: Uint8Array): string | null {
  const fixed = toBinary(bytes).replace(CESU8_PAIR, (m) => {
    if (m.length === 2) return '\x00';
    const b = Array.from(m, (c) => c.charCodeAt(0));
    const cp = ((b[1] & 0x0f) << 16) + ((b[2] & 0x3f) << 10) + ((b[4] & 0x0f) << 6) + (b[5] & 0x3f) + 0x10000;
    return toBinary(new TextEncoder().encode(String.fromCodePoint(cp)));
  });
  return decodeUtf8Strict(fromBinary(fixed));
}

const A_GRAVE_WORD = /\xc3 (?! |quele|quela|quilo|s )/g;
const ALTERED_UTF8 = new RegExp(
  [
    '[\\xc2\\xc3\\xc5\\xce\\xd0\\xd9] ',
    '[\\xe2\\xe3] [\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf]',
    '[\\xe0-\\xe3][\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf] ',
    '\\xf0 [\\x80-\\xbf]{2}|\\xf0[\\x80-\\xbf] [\\x80-\\xbf]|\\xf0[\\x80-\\xbf]{2} ',
  ].join('|'),
);

/** True if the bytes hold a UTF-8 sequence whose A0 byte looks replaced by a space. */
export function hasAlteredA0(bytes: Uint8Array): boolean {
  return ALTERED_UTF8.test(toBinary(bytes));
}

/** ftfy's restore_byte_a0: puts back A0 bytes that some process turned into spaces. */
export function restoreByteA0(bytes: Uint8Array): Uint8Array {
  const s = toBinary(bytes)
    .replace(A_GRAVE_WORD, '\xc3\xa0 ')
    .replace(new RegExp(ALTERED_UTF8.source, 'g'), (m) => m.replace(/ /g, '\xa0'));
  return fromBinary(s);
}

const LOSSY_UTF8 = new RegExp(
  [
    '[\\xc2-\\xdf]\\x1a',
    '[\\xc2-\\xc3]\\?',
    '\\xed[\\xa0-\\xaf][\\x1a?]\\xed[\\xb0-\\xbf][\\x1a?\\x80-\\xbf]',
    '\\xed[\\xa0-\\xaf][\\x1a?\\x80-\\xbf]\\xed[\\xb0-\\xbf][\\x1a?]',
    '[\\xe0-\\xef][\\x1a?][\\x1a\\x80-\\xbf]',
    '[\\xe0-\\xef][\\x1a\\x80-\\xbf][\\x1a?]',
    '[\\xf0-\\xf4][\\x1a?][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf]',
    '[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a?][\\x1a\\x80-\\xbf]',
    '[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf][\\x1a?]',
    '\\x1a',
  ].join('|'),
  'g',
);

/**
 * ftfy's replace_lossy_sequences: in sloppy code pages U+FFFD re-encodes as byte 1A; UTF-8
 * sequences broken by such a byte (or by "?") become one U+FFFD instead of failing to decode.
 */
export function replaceLossySequences(bytes: Uint8Array): Uint8Array {
  return fromBinary(toBinary(bytes).replace(LOSSY_UTF8, '\xef\xbf\xbd'));
}
