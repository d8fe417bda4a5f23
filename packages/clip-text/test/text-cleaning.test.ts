import { describe, expect, it } from 'vitest';
import { cleanText, fixText, preTokenize } from '../src/prompt-text.js';

// Expected values follow ftfy 6.x fix_text + open_clip's html.unescape×2 / whitespace / lower().
describe('ftfy-style fixes', () => {
  it.each([
    ['cafÃ©', 'café'],
    ['itâ€™s', "it's"],
    ['ðŸ˜€ party', '😀 party'],
    ['ä¸­æ–‡', '中文'],
    ['café — cafÃ©', 'café — café'],
    ['voilÃ le travail', 'voilà le travail'],
    ['Â£5', '£5'],
    ['\x93quoted\x94', '"quoted"'],
    ['a\x85b', 'a…b'],
  ])('repairs UTF-8 read as Windows-1252/Latin-1: %j', (input, expected) => {
    expect(fixText(input)).toBe(expected);
  });

  it.each(['naïve café résumé', 'SÃO PAULO', 'ÀÉÎÕÜ', 'Ελληνικά', 'accents À Á Â Ã Ä Å', '¯\\_(ツ)_/¯', '½ ¼ ² ³ ± × ÷'])(
    'leaves legitimate text alone: %j',
    (text) => {
      expect(fixText(text)).toBe(text);
    },
  );

  it('keeps German quotes after ß (not mojibake unless a letter follows)', () => {
    expect(fixText('„Spaß“ ist gut')).toBe('"Spaß" ist gut');
  });

  it.each([
    ['P&EACUTE;REZ', 'PÉREZ'],
    ['&ldquo;hi&rdquo;', '"hi"'],
    ['&amp;lt;', '<'],
    ['&#128; and &#x42;', '€ and B'],
    ['&#0;', '\ufffd'],
    ['&#59;', '&#59;'],
    ['this&not that', 'this&not that'],
  ])('ftfy unescapes only `;`-terminated entities: %j', (input, expected) => {
    expect(fixText(input)).toBe(expected);
  });

  it('applies the other character fixes', () => {
    expect(fixText('ﬁne ﬂow ﬃ Ĳ')).toBe('fine flow ffi IJ');
    expect(fixText('Ｆｕｌｌ　ｗｉｄｔｈ ﾊﾝｶｸ')).toBe('Full width ハンカク');
    expect(fixText('\x1b[1;31mred\x1b[0m')).toBe('red');
    expect(fixText('a\r\nb\rc\u2028d')).toBe('a\nb\nc\nd');
    expect(fixText('e\u0301')).toBe('\u00e9');
    expect(fixText('\ufeffhello\u206a\x00')).toBe('hello');
    expect(fixText('\u02bcx\u201b')).toBe("'x'");
  });
});

// Samples of ftfy's own test corpus (tests/test-cases, ftfy 6.3): real mojibake through each code
// page it knows, and legitimate text its heuristic must leave alone (ours passes all 151 passing cases).
describe('ftfy corpus samples', () => {
  it.each([
    [
      '\u0420\u0491\u0420\u0455\u0421\u0402\u0420\u0455\u0420\u0456\u0420\u00b5 \u0420\u0098\u0420\u00b7-\u0420\u0457\u0420\u0455\u0420\u0491 #\u0421\u201e\u0421\u0453\u0421\u201a\u0420\u00b1\u0420\u0455\u0420\u00bb',
      '\u0434\u043e\u0440\u043e\u0433\u0435 \u0418\u0437-\u043f\u043e\u0434 #\u0444\u0443\u0442\u0431\u043e\u043b',
    ],
    ['Le Vigne di Zam\u221a\u2264', 'Le Vigne di Zam\u00f2'],
    ['Hi guys \u00ed\u00a0\u00bd\u00ed\u00b8\u008d', 'Hi guys \ud83d\ude0d'],
    ["Li\u0102\u00a8ge Avenue de l'H\u0102\u00b4pital", "Li\u00e8ge Avenue de l'H\u00f4pital"],
    [
      '#\u2568\u2510\u2564\u00c7\u2568\u2591\u2568\u2593\u2568\u2555\u2568\u2557\u2564\u00ee\u2568\u255c\u2568\u255b\u2568\u2561\u2568\u2510\u2568\u2555\u2564\u00e9\u2568\u2591\u2568\u255c\u2568\u2555\u2568\u2561',
      '#\u043f\u0440\u0430\u0432\u0438\u043b\u044c\u043d\u043e\u0435\u043f\u0438\u0442\u0430\u043d\u0438\u0435',
    ],
    ["He's Justin\u00e2\u009d\u00a4", "He's Justin\u2764"],
    [
      '\u00c5 iaip \u00c4\u00c6domu, kaip \u00c4\u00c6sivaizduoji. Vis\u00c5\u00b3 pirma tam reikia laiko.',
      '\u0160iaip \u012fdomu, kaip \u012fsivaizduoji. Vis\u0173 pirma tam reikia laiko.',
    ],
    ['\u00d7\u2018\u00d7\u201d\u00d7\u2022\u00d7\u201c\u00d7\u00a2\u00d7\u201d', '\u05d1\u05d4\u05d5\u05d3\u05e2\u05d4'],
    ['\u00e2\u20ac\u0153lossy decoding\u00e2\u20ac\ufffd', '"lossy decoding\ufffd'],
  ])('repairs %j', (input, expected) => {
    expect(fixText(input)).toBe(expected);
  });

  it.each([
    ["I'm not such a fan of Charlotte Bront\u00eb\u2026\u201d", 'I\'m not such a fan of Charlotte Bront\u00eb\u2026"'],
    ['AH\u00c5\u2122, the new sofa from IKEA', 'AH\u00c5\u2122, the new sofa from IKEA'],
    ['!YO S\u00c9\u00a1', '!YO S\u00c9\u00a1'],
    ['Join ZZAJ\u00c9\u2019s Official Fan List', "Join ZZAJ\u00c9's Official Fan List"],
    ['NESTL\u00c9\u00ae requiere contratar personal', 'NESTL\u00c9\u00ae requiere contratar personal'],
    ['SELK\u00c4\u00a0EDELL\u00c4\u00a0MAAHAN via @YouTube', 'SELK\u00c4\u00a0EDELL\u00c4\u00a0MAAHAN via @YouTube'],
    ['Bremer/Mccoy \u2013 Dr\u00c3\u00a5ber', 'Bremer/Mccoy \u2013 Dr\u00c3\u00a5ber'],
  ])('leaves legitimate text alone: %j', (input, expected) => {
    expect(fixText(input)).toBe(expected);
  });
});

describe('open_clip cleaning', () => {
  it('unescapes HTML twice with Python rules (legacy names, no semicolon needed)', () => {
    expect(cleanText('fish &amp chips')).toBe('fish & chips');
    expect(cleanText('this&not that')).toBe('this¬ that');
    expect(cleanText('&notit;')).toBe('¬it;');
    expect(cleanText('&amp;amp;amp;')).toBe('&');
    expect(cleanText('&unknownentity; &#x110000; &#x1;')).toBe('&unknownentity; \ufffd');
  });

  it('stops ftfy unescaping from the first line containing "<" on', () => {
    expect(cleanText('&lt;p&gt;\n<b>\n&ldquo;x&rdquo;')).toBe('<p> <b> \u201cx\u201d');
    expect(cleanText('&ldquo;x&rdquo;')).toBe('"x"');
  });

  it('collapses Python whitespace (not JS \\s) and lower-cases with Unicode rules', () => {
    expect(cleanText(' a\u2003b\u00a0\u3000c\t')).toBe('a b c');
    expect(cleanText('ΣΟΦΟΣ İ')).toBe('σοφος i\u0307');
    expect(cleanText('x\u200by')).toBe('x\u200by');
  });
});

describe('pre-token split', () => {
  it('matches open_clip’s regex on contractions, digits, marks and specials', () => {
    expect(preTokenize("don't 2024 it's")).toEqual(['don', "'t", '2', '0', '2', '4', 'it', "'s"]);
    expect(preTokenize('<start_of_text>hi<end_of_text>')).toEqual(['<start_of_text>', 'hi', '<end_of_text>']);
    expect(preTokenize('हिन्दी')).toEqual(['ह', 'ि', 'न', '्', 'द', 'ी']);
    expect(preTokenize("'something")).toEqual(["'s", 'omething']);
    expect(preTokenize('a\u0345b \ufeff!')).toEqual(['a', 'b', '\ufeff!']);
    expect(preTokenize("'ſ <ſtart_of_text>")).toEqual(["'ſ", '<ſtart_of_text>']);
  });
});
