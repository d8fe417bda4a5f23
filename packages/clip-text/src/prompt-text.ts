/*
 * What happens to a prompt before BPE: ftfy's fix_text (text-fixing/), open_clip's cleaning, and the pre-token split.
 */
import { fixText } from './text-fixing/fix-text.js';
import { pythonHtmlUnescape } from './text-fixing/html-unescape.js';

export { fixText };

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
  t = t
    .split(PY_WHITESPACE)
    .filter((part) => part.length > 0)
    .join(' ');
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
export const PRE_TOKEN_PATTERN = /<[sſ]tart_of_text>|<end_of_text>|'[sſ]|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}\u0345]+/gu;

/** Splits cleaned text into the pieces BPE runs on, exactly as open_clip's re.findall does. */
export function preTokenize(cleaned: string): string[] {
  return cleaned.match(PRE_TOKEN_PATTERN) ?? [];
}
