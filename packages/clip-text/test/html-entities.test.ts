import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../src/prompt-text.js';
import { ftfyUnescapeHtml, pythonHtmlUnescape } from '../src/text-fixing/html-unescape.js';

/** [key, html.unescape("a &KEY b"), html.unescape("a&KEYx;b"), ftfy("a &KEY b"), ftfy("a &KEY.upper() b")] per HTML5 name. */
const { rows } = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'html5-names.json'), 'utf8')) as { rows: [string, string, string, string, string][] };

describe('HTML named references: all 2,231 HTML5 names, as Python and ftfy read them', () => {
  it('the fixture holds every name: 2,125 with ";" and the 106 legacy names without', () => {
    expect(rows).toHaveLength(2231);
    expect(rows.filter(([k]) => k.endsWith(';'))).toHaveLength(2125);
  });

  it('html.unescape: every name, and the longest-legacy-prefix rule after it', () => {
    const wrong = rows.filter(([k, plain, prefixed]) => pythonHtmlUnescape(`a &${k} b`) !== plain || pythonHtmlUnescape(`a&${k}x;b`) !== prefixed);
    expect(wrong.map(([k]) => k)).toEqual([]);
  });

  it("ftfy's unescape_html: names with ';' only, and the ALL-CAPS spelling of lower-case names", () => {
    const wrong = rows.filter(([k, , , ftfy, upper]) => ftfyUnescapeHtml(`a &${k} b`) !== ftfy || ftfyUnescapeHtml(`a &${k.toUpperCase()} b`) !== upper);
    expect(wrong.map(([k]) => k)).toEqual([]);
  });

  it('reaches the cleaned prompt (formerly listed divergences)', () => {
    expect(cleanText('&checkmark; &Jscr;ohn')).toBe('\u2713 \ud835\udca5ohn');
    expect(cleanText('a&ltimes;b')).toBe('a\u22c9b');
    expect(cleanText('a &ampx b &notit; c')).toBe('a &x b ¬it; c');
  });
});
