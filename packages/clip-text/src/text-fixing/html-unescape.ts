// Derived from ftfy 6.3 (Apache-2.0, (C) Robyn Speer), rewritten in TypeScript and changed for MaskGen.js; see NOTICE.
import { decodeHTML, decodeHTMLStrict } from 'entities/decode';
// HTML5 (and Python) read numeric references in the C1 range as Windows-1252.
import { codePageChar } from './code-pages.js';

/**
 * The named references come from `entities`, a well-kept implementation of the WHATWG algorithm over all
 * 2,231 HTML5 names (the table Python's `html.entities.html5` also holds), so nothing here lists names.
 */

/** The character(s) of the complete reference `&name;`, or undefined when `name;` is not an HTML5 name. */
function namedRef(name: string): string | undefined {
  const ref = `&${name};`;
  // Strict mode only decodes references ending in ";", and `name` holds none, so a change means all of it matched.
  const out = decodeHTMLStrict(ref);
  return out === ref ? undefined : out;
}

function isDroppedCodepoint(n: number): boolean {
  return (n >= 0x1 && n <= 0x8) || n === 0xb || (n >= 0xe && n <= 0x1f) || (n >= 0x7f && n <= 0x9f) || (n >= 0xfdd0 && n <= 0xfdef) || (n & 0xfffe) === 0xfffe;
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
  return s.replace(PY_CHARREF, (whole, ref: string) => {
    if (ref[0] === '#') {
      const hex = ref[1] === 'x' || ref[1] === 'X';
      const digits = ref.slice(hex ? 2 : 1).replace(/;$/, '');
      return numericRef(parseInt(digits, hex ? 16 : 10));
    }
    // Python: `ref` itself if it is a name (with ";", or a legacy name without), else its longest legacy-name
    // prefix (two characters or more) followed by the rest, else unchanged. `ref` holds no ";" before its end,
    // so that is exactly WHATWG's longest match in text (legacy) mode.
    return decodeHTML(whole);
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
  return s.replace(FTFY_ENTITY, (text) => {
    if (text[1] === '#') {
      const u = pythonHtmlUnescape(text);
      return u.includes(';') ? text : u;
    }
    const name = text.slice(1, -1);
    const exact = namedRef(name);
    if (exact !== undefined) return exact;
    // ftfy also decodes the ALL-CAPS spelling of an all-lower-case name, to the upper-cased character,
    // unless Python's html.unescape already reads that spelling (e.g. "&LTIMES;" by the prefix "LT").
    const lower = name.toLowerCase();
    if (name !== lower.toUpperCase() || name === lower) return text;
    const low = namedRef(lower);
    return low !== undefined && pythonHtmlUnescape(text) === text ? low.toUpperCase() : text;
  });
}
