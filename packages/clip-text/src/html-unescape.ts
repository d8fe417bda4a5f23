import { htmlEntities } from './html-entities.js';
// HTML5 (and Python) read numeric references in the C1 range as Windows-1252.
import { codePageChar } from './code-pages.js';

function isDroppedCodepoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) || n === 0xb || (n >= 0xe && n <= 0x1f) || (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) || (n & 0xfffe) === 0xfffe
  );
}

/** A numeric reference's character by the HTML5 rules Python's html.unescape implements. */
function numericRef(num: number): string {
  if (num === 0) return '\ufffd';
  if (num === 0x0d) return '\r';
  if (num >= 0x80 && num <= 0x9f) return codePageChar(num, 'sloppy-windows-1252');
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
  if (isDroppedCodepoint(num)) return '';
  return String.fromCodePoint(num);
}

const PY_CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

/**
 * Python's `html.unescape`, which open_clip applies twice after ftfy: numeric references, named
 * references with or without `;` (legacy names), and the longest-legacy-prefix rule ("&ampx" → "&x").
 */
export function pythonHtmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  const table = htmlEntities();
  return s.replace(PY_CHARREF, (whole, ref: string) => {
    if (ref[0] === '#') {
      const hex = ref[1] === 'x' || ref[1] === 'X';
      const digits = ref.slice(hex ? 2 : 1).replace(/;$/, '');
      return numericRef(parseInt(digits, hex ? 16 : 10));
    }
    if (ref.endsWith(';')) {
      const e = table.get(ref.slice(0, -1));
      if (e) return e.char;
    } else {
      const e = table.get(ref);
      if (e?.legacy) return e.char;
    }
    for (let x = ref.length - 1; x > 1; x--) {
      const e = table.get(ref.slice(0, x));
      if (e?.legacy) return e.char + ref.slice(x);
    }
    return whole;
  });
}

const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

/**
 * ftfy's `unescape_html` step: only references that end in `;`, plus ALL-CAPS spellings of
 * lower-case names ("P&EACUTE;REZ"). It runs before ftfy's other fixes, so "&ldquo;" gets uncurled
 * when ftfy decodes it but stays curly when only open_clip's later html.unescape does (text with "<").
 */
export function ftfyUnescapeHtml(s: string): string {
  if (!s.includes('&')) return s;
  const table = htmlEntities();
  return s.replace(FTFY_ENTITY, (text) => {
    if (text[1] === '#') {
      const u = pythonHtmlUnescape(text);
      return u.includes(';') ? text : u;
    }
    const name = text.slice(1, -1);
    const e = table.get(name);
    if (e) return e.char;
    const lower = name.toLowerCase();
    const low = table.get(lower);
    if (low?.upper && name === lower.toUpperCase()) return low.char.toUpperCase();
    return text;
  });
}
