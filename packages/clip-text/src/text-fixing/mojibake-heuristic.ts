// Derived from ftfy 6.3 (Apache-2.0, (C) Robyn Speer), rewritten in TypeScript and changed for MaskGen.js; see NOTICE.
/**
 * ftfy's mojibake heuristic (ftfy 6.3, Apache-2.0, © Robyn Speer), ported: the few hundred
 * characters that appear in UTF-8 mojibake, grouped by how they are used, and the juxtapositions
 * of those groups that are far likelier to be mojibake than intended text. It decides whether ftfy
 * touches a string at all, so legitimate text ("NESTLÉ®", "Brontë…”") must be judged as ftfy does.
 */

// Regex class bodies by category; the character lists are generated from ftfy's tables.
const CATEGORY = {
  common: '\u{a0}\u{ad}\u{b7}\u{b4}\u{2013}\u{2014}\u{2015}\u{2026}\u{2019}',
  c1: '\u{80}-\u{9f}',
  bad: '\u{a6}\u{a4}\u{a8}\u{ac}\u{af}\u{b8}\u{192}\u{2c6}\u{2c7}\u{2d8}\u{2db}\u{2dc}\u{2020}\u{2021}\u{2030}\u{2310}\u{25ca}\u{fffd}\u{aa}\u{ba}',
  law: '\u{b6}\u{a7}',
  currency: '\u{a2}\u{a3}\u{a5}\u{20a7}\u{20ac}',
  start_punctuation: '\u{a1}\u{ab}\u{bf}\u{a9}\u{384}\u{385}\u{2018}\u{201a}\u{201c}\u{201e}\u{2022}\u{2039}\u{f8ff}',
  end_punctuation: '\u{ae}\u{bb}\u{2dd}\u{201d}\u{203a}\u{2122}',
  numeric:
    '\u{b2}\u{b3}\u{b9}\u{b1}\u{bc}\u{bd}\u{be}\u{d7}\u{b5}\u{f7}\u{2044}\u{2202}\u{2206}\u{220f}\u{2211}\u{221a}\u{221e}\u{2229}\u{222b}\u{2248}\u{2260}\u{2261}\u{2264}\u{2265}\u{2116}',
  kaomoji: '\u{d2}-\u{d6}\u{d9}-\u{dc}\u{f2}-\u{f6}\u{f8}-\u{fc}\u{150}\u{14c}\u{16a}\u{172}\u{b0}',
  upper_accented:
    '\u{c0}-\u{d1}\u{d8}\u{dc}\u{dd}\u{102}\u{100}\u{104}\u{106}\u{10c}\u{10e}\u{110}\u{118}\u{11a}\u{112}\u{116}\u{11e}\u{122}\u{130}\u{12a}\u{136}\u{139}\u{13d}\u{141}\u{13b}\u{143}\u{147}\u{145}\u{152}\u{158}\u{15a}\u{15e}\u{160}\u{162}\u{164}\u{16e}\u{170}\u{178}\u{179}\u{17b}\u{17d}\u{490}',
  lower_accented:
    '\u{df}\u{e0}-\u{f1}\u{103}\u{105}\u{101}\u{107}\u{10d}\u{10f}\u{111}\u{119}\u{11b}\u{113}\u{117}\u{11f}\u{123}\u{12f}\u{12b}\u{137}\u{13a}\u{13e}\u{142}\u{13c}\u{153}\u{155}\u{15b}\u{15f}\u{161}\u{165}\u{fc}\u{17a}\u{17c}\u{17e}\u{491}\u{fb01}\u{fb02}',
  upper_common: '\u{de}\u{391}-\u{3a9}\u{386}\u{388}\u{389}\u{38a}\u{38c}\u{38e}\u{38f}\u{3aa}\u{3ab}\u{401}-\u{42f}',
  lower_common: '\u{3b1}-\u{3c9}\u{3ac}\u{3ad}\u{3ae}\u{3af}\u{3b0}\u{430}-\u{45f}',
  box: '\u{2502}\u{250c}\u{2510}\u{2518}\u{251c}\u{2524}\u{252c}\u{253c}\u{2550}-\u{256c}\u{2580}\u{2584}\u{2588}\u{258c}\u{2590}\u{2591}\u{2592}\u{2593}',
} as const;

const UTF8_CLUE = {
  utf8_first_of_2:
    '\u{102}\u{c2}\u{c4}\u{100}\u{c5}\u{c3}\u{c6}\u{106}\u{10c}\u{c7}\u{10e}\u{110}\u{c9}\u{11a}\u{ca}\u{cb}\u{116}\u{c8}\u{112}\u{118}\u{d0}\u{11e}\u{122}\u{cd}\u{ce}\u{cf}\u{130}\u{cc}\u{12a}\u{136}\u{139}\u{13b}\u{141}\u{143}\u{147}\u{145}\u{d1}\u{d3}\u{d4}\u{d6}\u{150}\u{d2}\u{14c}\u{d8}\u{d5}\u{158}\u{15a}\u{160}\u{15e}\u{162}\u{de}\u{da}\u{db}\u{dc}\u{170}\u{d9}\u{16a}\u{172}\u{16e}\u{dd}\u{179}\u{17d}\u{17b}\u{df}\u{d7}\u{392}\u{393}\u{394}\u{395}\u{396}\u{397}\u{398}\u{399}\u{39a}\u{39b}\u{39c}\u{39d}\u{39e}\u{39f}\u{3a0}\u{3a1}\u{3a3}\u{3a4}\u{3a5}\u{3a6}\u{3a7}\u{3a8}\u{3a9}\u{3aa}\u{3ab}\u{3ac}\u{3ad}\u{3ae}\u{3af}\u{412}\u{413}\u{414}\u{415}\u{416}\u{417}\u{418}\u{419}\u{41a}\u{41b}\u{41c}\u{41d}\u{41e}\u{41f}\u{420}\u{421}\u{422}\u{423}\u{424}\u{425}\u{426}\u{427}\u{428}\u{429}\u{42a}\u{42b}\u{42c}\u{42d}\u{42e}\u{42f}',
  utf8_first_of_3:
    '\u{e1}\u{103}\u{e2}\u{e4}\u{e0}\u{101}\u{105}\u{e5}\u{e3}\u{e6}\u{107}\u{10d}\u{e7}\u{10f}\u{e9}\u{11b}\u{ea}\u{eb}\u{117}\u{e8}\u{113}\u{119}\u{119}\u{123}\u{ed}\u{ee}\u{ef}\u{ec}\u{12b}\u{12f}\u{137}\u{13a}\u{13c}\u{155}\u{17a}\u{3b0}\u{3b1}\u{3b2}\u{3b3}\u{3b4}\u{3b5}\u{3b6}\u{3b7}\u{3b8}\u{3b9}\u{3ba}\u{3bb}\u{3bc}\u{3bd}\u{3be}\u{3bf}\u{430}\u{431}\u{432}\u{433}\u{434}\u{435}\u{436}\u{437}\u{438}\u{439}\u{43a}\u{43b}\u{43c}\u{43d}\u{43e}\u{43f}',
  utf8_first_of_4: '\u{111}\u{f0}\u{11f}\u{f3}\u{161}\u{3c0}\u{3c3}\u{440}\u{443}',
  utf8_continuation:
    '\u{80}-\u{bf}\u{20}\u{104}\u{c6}\u{13d}\u{141}\u{d8}\u{156}\u{15a}\u{160}\u{15e}\u{164}\u{178}\u{179}\u{17d}\u{17b}\u{152}\u{105}\u{e6}\u{192}\u{13e}\u{142}\u{f8}\u{157}\u{15b}\u{161}\u{15f}\u{165}\u{17a}\u{17e}\u{17c}\u{153}\u{2c6}\u{2c7}\u{2d8}\u{2db}\u{2dc}\u{2dd}\u{384}\u{385}\u{386}\u{388}\u{389}\u{38a}\u{38c}\u{38e}\u{38f}\u{401}\u{402}\u{403}\u{404}\u{405}\u{406}\u{407}\u{408}\u{409}\u{40a}\u{40b}\u{40c}\u{40e}\u{40f}\u{451}\u{452}\u{453}\u{454}\u{455}\u{456}\u{457}\u{458}\u{459}\u{45a}\u{45b}\u{45c}\u{45e}\u{45f}\u{490}\u{491}\u{2013}\u{2014}\u{2015}\u{2018}\u{2019}\u{201a}\u{201c}\u{201d}\u{201e}\u{2020}\u{2021}\u{2022}\u{2026}\u{2030}\u{2039}\u{203a}\u{20ac}\u{2116}\u{2122}',
  utf8_continuation_strict:
    '\u{80}-\u{bf}\u{104}\u{c6}\u{13d}\u{141}\u{d8}\u{156}\u{15a}\u{160}\u{15e}\u{164}\u{178}\u{179}\u{17d}\u{17b}\u{152}\u{105}\u{e6}\u{192}\u{13e}\u{142}\u{f8}\u{157}\u{15b}\u{161}\u{15f}\u{165}\u{17a}\u{17e}\u{17c}\u{153}\u{2c6}\u{2c7}\u{2d8}\u{2db}\u{2dc}\u{2dd}\u{384}\u{385}\u{386}\u{388}\u{389}\u{38a}\u{38c}\u{38e}\u{38f}\u{401}\u{402}\u{403}\u{404}\u{405}\u{406}\u{407}\u{408}\u{409}\u{40a}\u{40b}\u{40c}\u{40e}\u{40f}\u{451}\u{452}\u{453}\u{454}\u{455}\u{456}\u{457}\u{458}\u{459}\u{45a}\u{45b}\u{45c}\u{45e}\u{45f}\u{490}\u{491}\u{2020}\u{2021}\u{2030}\u{2039}\u{203a}\u{20ac}\u{2116}\u{2122}',
} as const;

type Category = keyof typeof CATEGORY;
const cls = (...keys: Category[]) => `[${keys.map((k) => CATEGORY[k]).join('')}]`;
const C = CATEGORY;
/** Python's `\s` (str.isspace) and `\w` for str patterns, which differ from JavaScript's. */
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_WORD = '[\\p{L}\\p{N}_]';
const ACCENTED_ETC = ['lower_accented', 'upper_accented', 'box', 'start_punctuation', 'end_punctuation', 'currency', 'numeric', 'law'] as const;
const ARABIC = `[ØÙ][${C.common}${C.currency}${C.bad}${C.numeric}${C.start_punctuation}ŸŠ®°µ»]`;

const BADNESS_RULES = [
  cls('c1'),
  cls('bad', ...ACCENTED_ETC) + cls('bad'),
  '[a-zA-Z]' + cls('lower_common', 'upper_common') + cls('bad'),
  cls('bad') + cls(...ACCENTED_ETC),
  cls('lower_accented', 'lower_common', 'box', 'end_punctuation', 'currency', 'numeric') + cls('upper_accented'),
  cls('box', 'end_punctuation', 'currency', 'numeric') + cls('lower_accented'),
  cls('lower_accented', 'box', 'end_punctuation') + cls('currency'),
  PY_SPACE + cls('upper_accented') + cls('currency'),
  cls('upper_accented', 'box') + cls('numeric', 'law'),
  cls('lower_accented', 'upper_accented', 'box', 'currency', 'end_punctuation') + cls('start_punctuation') + cls('numeric'),
  cls('lower_accented', 'upper_accented', 'currency', 'numeric', 'box', 'law') + cls('end_punctuation') + cls('start_punctuation'),
  cls('currency', 'numeric', 'box') + cls('start_punctuation'),
  '[a-z]' + cls('upper_accented') + cls('start_punctuation', 'currency'),
  cls('box') + cls('kaomoji'),
  cls('lower_accented', 'upper_accented', 'currency', 'numeric', 'start_punctuation', 'end_punctuation', 'law') + cls('box'),
  cls('box') + cls('end_punctuation'),
  cls('lower_accented', 'upper_accented') + cls('start_punctuation', 'end_punctuation') + PY_WORD,
  '[Œœ][^A-Za-z]', // œ not followed by an unaccented Latin letter
  cls('upper_accented') + '°',
  `[ÂÃÎÐ][€œŠš¢£Ÿž\\xa0\\xad®©°·»${C.start_punctuation}${C.end_punctuation}–—´]`, // common 2-char Windows-1252 mojibake
  '×[²³]',
  ARABIC + ARABIC, // Arabic in Windows-1252 needs four characters to be convincing
  'à[²µ¹¼½¾]', // South Asian scripts in Windows-1252
  '√[±∂†≠®™´≤≥¥µø]|≈[°¢]|‚Ä[ìîïòôúùû†°¢π]|‚[âó][àä°ê]', // MacRoman
  'вЂ', // Windows-1251, U+2000 range
  `[ВГРС][${C.c1}${C.bad}${C.start_punctuation}${C.end_punctuation}${C.currency}°µ][ВГРС]`,
  'ГўВЂВ[^\\n][A-Za-z ]',
  'Ã[\\xa0¡]', // à, á and NBSP itself
  `[a-z]${PY_SPACE}?[ÃÂ] `,
  '^[ÃÂ] ',
  `[a-z.,?!${C.end_punctuation}]Â[ ${C.start_punctuation}${C.end_punctuation}]`,
  'β€[™\\xa0Ά\\xad®°]', // Windows-1253, U+2000 range
  `[ΒΓΞΟ][${C.c1}${C.bad}${C.start_punctuation}${C.end_punctuation}${C.currency}°][ΒΓΞΟ]`,
  'ā€', // Windows-1257, U+2000 range
];
const BADNESS = new RegExp(BADNESS_RULES.join('|'), 'u');

/** True if the text contains a sequence ftfy judges to be mojibake (ftfy's `is_bad`). */
export function isBad(text: string): boolean {
  return BADNESS.test(text);
}

/** Runs of what may be UTF-8 misread through any supported code page (ftfy's UTF8_DETECTOR_RE). */
export const UTF8_DETECTOR = new RegExp(
  `(?<![${UTF8_CLUE.utf8_continuation_strict}])` +
    `(?:[${UTF8_CLUE.utf8_first_of_2}][${UTF8_CLUE.utf8_continuation}]` +
    `|[${UTF8_CLUE.utf8_first_of_3}][${UTF8_CLUE.utf8_continuation}]{2}` +
    `|[${UTF8_CLUE.utf8_first_of_4}][${UTF8_CLUE.utf8_continuation}]{3})+`,
  'gu',
);
