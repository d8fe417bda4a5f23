/*
 * What happens to a prompt before BPE: ftfy's fix_text, open_clip's cleaning, and the pre-token split.
 */
import { ftfyUnescapeHtml, pythonHtmlUnescape } from './html-unescape.js';
import { fixC1Controls, fixMojibake } from './mojibake.js';
import {
  fixCharacterWidth,
  fixLatinLigatures,
  fixLineBreaks,
  fixSurrogates,
  removeControlChars,
  removeTerminalEscapes,
  uncurlQuotes,
} from './text-fixes.js';

const SAFE_ASCII = /^[\t\n\x20-\x7e]*$/;
/** ftfy's max_decode_length: longer lines are fixed in pieces of this size. */
const MAX_SEGMENT = 1_000_000;

/** One ftfy segment: every fix in ftfy's order, repeated until the text stops changing. */
function fixSegment(text: string, unescape: boolean): string {
  for (let round = 0; round < 16; round++) {
    const before = text;
    if (unescape) text = ftfyUnescapeHtml(text);
    text = fixMojibake(text);
    text = fixC1Controls(text);
    text = fixLatinLigatures(text);
    text = fixCharacterWidth(text);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = fixSurrogates(text);
    text = removeTerminalEscapes(text);
    text = removeControlChars(text);
    text = text.normalize('NFC');
    if (text === before) break;
  }
  return text;
}

/**
 * ftfy.fix_text with its default configuration, as open_clip calls it: the text is fixed line by
 * line (lines over 1M characters in pieces), and HTML entities are decoded by ftfy only until a line containing "<" is seen (ftfy then
 * assumes real HTML and leaves entities alone; open_clip's html.unescape decodes them afterwards).
 * Printable ASCII without "&" is returned untouched, since no fix can apply to it.
 */
export function fixText(text: string): string {
  if (SAFE_ASCII.test(text) && !text.includes('&')) return text;
  let unescape = true;
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = Math.min(nl < 0 ? text.length : nl + 1, pos + MAX_SEGMENT);
    const segment = text.slice(pos, end);
    if (segment.includes('<')) unescape = false;
    out += fixSegment(segment, unescape);
    pos = end;
  }
  return out;
}

/** Python's str.isspace() set: what str.split() and str.strip() treat as whitespace. */
const PY_WHITESPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/**
 * open_clip's `_clean_lower`, the cleaning SimpleTokenizer applies to every prompt:
 * ftfy.fix_text → html.unescape twice → strip → collapse whitespace runs to one space → lower().
 * Whitespace follows Python's definition (it differs from JS `\s` on U+001C–U+001F, U+0085, U+FEFF).
 */
export function cleanText(text: string): string {
  let t = fixText(text);
  t = pythonHtmlUnescape(pythonHtmlUnescape(t));
  t = t.split(PY_WHITESPACE).filter((part) => part.length > 0).join(' ');
  return t.toLowerCase();
}

/**
 * open_clip's pre-token pattern, `<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|
 * [\p{N}]|[^\s\p{L}\p{N}]+` compiled by the `regex` module with IGNORECASE, rewritten so a JS
 * engine splits identically (checked over every code point): no `i` flag, but U+017F (ſ) accepted
 * where IGNORECASE folds it to "s"; `\s` as Unicode White_Space (Python's, not JS's: U+FEFF is
 * not whitespace there); and U+0345, which IGNORECASE keeps out of both the letter run and the
 * symbol run, dropped as Python drops it. Property tables follow the JS engine's Unicode version.
 */
export const PRE_TOKEN_PATTERN =
  /<[sſ]tart_of_text>|<end_of_text>|'[sſ]|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}\u0345]+/gu;

/** Splits cleaned text into the pieces BPE runs on, exactly as open_clip's re.findall does. */
export function preTokenize(cleaned: string): string[] {
  return cleaned.match(PRE_TOKEN_PATTERN) ?? [];
}
