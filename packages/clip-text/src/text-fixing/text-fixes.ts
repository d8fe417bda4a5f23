// Derived from ftfy 6.3 (Apache-2.0, (C) Robyn Speer), rewritten in TypeScript and changed for MaskGen.js; see NOTICE.
/**
 * The character-level fixes ftfy.fix_text applies after its encoding repair, each matching the
 * ftfy step of the same name. They change tokens on realistic input (pasted ligatures, fullwidth
 * text, curly quotes, Windows line breaks, ANSI colour codes), so all of them are ported.
 */

/** Latin typographic ligatures and digraph code points, spelled out (fix_latin_ligatures). */
const LIGATURES: Record<string, string> = {
  '\u0132': 'IJ',
  '\u0133': 'ij',
  '\u0149': '\u02bcn',
  '\u01f1': 'DZ',
  '\u01f2': 'Dz',
  '\u01f3': 'dz',
  '\u01c4': 'D\u017d',
  '\u01c5': 'D\u017e',
  '\u01c6': 'd\u017e',
  '\u01c7': 'LJ',
  '\u01c8': 'Lj',
  '\u01c9': 'lj',
  '\u01ca': 'NJ',
  '\u01cb': 'Nj',
  '\u01cc': 'nj',
  '\ufb00': 'ff',
  '\ufb01': 'fi',
  '\ufb02': 'fl',
  '\ufb03': 'ffi',
  '\ufb04': 'ffl',
  '\ufb05': '\u017ft',
  '\ufb06': 'st',
};
const LIGATURE_RE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'g');

/** Replaces Latin ligatures (ﬁ → fi) as ftfy's fix_latin_ligatures does. */
export function fixLatinLigatures(text: string): string {
  return text.replace(LIGATURE_RE, (c) => LIGATURES[c]);
}

/** Halfwidth/fullwidth forms to their standard width (NFKC of U+FF01–U+FFEF), ideographic space to ' '. */
export function fixCharacterWidth(text: string): string {
  return text.replace(/[\u3000\uff01-\uffef]/g, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
}

/** Curly quotes to straight ones (ftfy's uncurl_quotes: U+02BC, U+2018–U+201B → ', U+201C–U+201F → "). */
export function uncurlQuotes(text: string): string {
  return text.replace(/[\u201c-\u201f]/g, '"').replace(/[\u02bc\u2018-\u201b]/g, "'");
}

/** CRLF, CR, LINE/PARAGRAPH SEPARATOR and NEXT LINE to "\n" (fix_line_breaks). */
export function fixLineBreaks(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\r\u2028\u2029\x85]/g, '\n');
}

/**
 * Lone UTF-16 surrogates to U+FFFD (fix_surrogates). Paired surrogates are already one code point
 * in a JS string, which is what ftfy produces from a Python string holding a pair.
 */
export function fixSurrogates(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Strips ANSI terminal escape sequences such as "\x1b[31m" (remove_terminal_escapes). */
export function removeTerminalEscapes(text: string): string {
  return text.includes('\x1b') ? text.replace(/\x1b\[[\p{Nd};]*[a-zA-Z]/gu, '') : text;
}

/**
 * Removes control characters nobody means to type (remove_control_chars): C0 controls except
 * tab/newline/form feed/CR, DEL, deprecated Arabic format controls, U+FEFF and U+FFF9–U+FFFC.
 */
export function removeControlChars(text: string): string {
  return text.replace(/[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g, '');
}
