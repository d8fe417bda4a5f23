// Derived from ftfy 6.3 (Apache-2.0, (C) Robyn Speer), rewritten in TypeScript and changed for MaskGen.js; see NOTICE.
/*
 * ftfy.fix_text (ftfy 6.3, Apache-2.0, © Robyn Speer; see the package NOTICE) as open_clip calls it.
 */
import { ftfyUnescapeHtml } from './html-unescape.js';
import { fixC1Controls, fixMojibake } from './mojibake.js';
import { fixCharacterWidth, fixLatinLigatures, fixLineBreaks, fixSurrogates, removeControlChars, removeTerminalEscapes, uncurlQuotes } from './text-fixes.js';

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
