import { isMaskgenError } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../src/index.js';
import { goldenPrompts, goldenTokenizer, hfTokenizerFiles } from './golden-paths.js';

const SOT = 49406;
const EOT = 49407;

describe('ClipTokenizer', () => {
  it('gives identical ids from vocab.json + merges.txt and from the .gz, for every golden prompt', async () => {
    const gz = await goldenTokenizer();
    const { vocabJson, mergesText } = hfTokenizerFiles();
    const hf = ClipTokenizer.fromVocabAndMerges(vocabJson, mergesText);
    expect(hf.vocabSize).toBe(49408);
    expect([hf.sot, hf.eot]).toEqual([SOT, EOT]);
    const { prompts } = goldenPrompts();
    expect(Array.from(hf.encodeBatch(prompts).data)).toEqual(Array.from(gz.encodeBatch(prompts).data));
  });

  it('round-trips text through decode (byte-level BPE loses only word spacing)', async () => {
    const tok = await goldenTokenizer();
    expect(tok.decode(tok.encode('A photo of a CAT!'))).toBe('a photo of a cat !');
    for (const d of goldenPrompts().detail) {
      if (d.truncated || d.prompt.includes('_of_text>')) continue;
      expect(tok.decode(tok.encode(d.prompt)).replace(/ /g, ''), d.prompt).toBe(d.cleaned.replace(/ /g, ''));
    }
    const raw = tok.decode(tok.encode('hi'), { skipSpecialTokens: false });
    expect(raw.startsWith('<start_of_text>hi <end_of_text>!')).toBe(true);
  });

  it('encodes the empty and whitespace-only prompt as SOT, EOT, zeros', async () => {
    const tok = await goldenTokenizer();
    const expected = new Int32Array(77);
    expected[0] = SOT;
    expected[1] = EOT;
    for (const p of ['', '   ', '\n\t\r\n', '\u3000\u00a0']) expect(tok.encode(p), JSON.stringify(p)).toEqual(expected);
  });

  it('truncates to 77 ids keeping EOT last, and only when needed', async () => {
    const tok = await goldenTokenizer();
    const words = (n: number) => Array.from({ length: n }, () => 'cat').join(' ');
    const fits = tok.encode(words(75));
    expect(fits[76]).toBe(EOT);
    expect(fits[75]).toBe(tok.encode('cat')[1]);
    const over = tok.encode(words(76));
    expect(over[0]).toBe(SOT);
    expect(over[76]).toBe(EOT);
    expect(over.slice(1, 76).every((id) => id === fits[1])).toBe(true);
    const short = tok.encode(words(3));
    expect(Array.from(short.slice(0, 6))).toEqual([SOT, fits[1], fits[1], fits[1], EOT, 0]);
    expect(tok.encodeText(words(200)).length).toBe(200);
  });

  it('handles a very long prompt (truncated to the context, EOT kept)', async () => {
    const tok = await goldenTokenizer();
    const long = 'supercalifragilistic '.repeat(20_000) + 'x'.repeat(5_000);
    const ids = tok.encode(long);
    expect(ids.length).toBe(77);
    expect(ids[76]).toBe(EOT);
  });

  it('never crashes on invalid UTF-16 (lone surrogates become U+FFFD, as ftfy does)', async () => {
    const tok = await goldenTokenizer();
    const replacement = tok.encode('a\ufffdb');
    for (const bad of ['a\ud800b', 'a\udc00b']) expect(tok.encode(bad)).toEqual(replacement);
    expect(tok.encode('\udc00\ud800')).toEqual(tok.encode('\ufffd\ufffd'));
    expect(tok.encode('\ud83d\ude00')).toEqual(tok.encode('😀'));
    expect(tok.decode(tok.encode('x\ud800'))).toBe('x \ufffd');
  });

  // Speed is measured by `maskgen bench` (clip-tokenizer), not asserted here: timed unit tests are flaky on shared CI machines.
  it('tokenizes a batch of 10k prompts consistently with single encodes', async () => {
    const tok = await goldenTokenizer();
    const words = goldenPrompts()
      .detail.flatMap((d) => d.cleaned.split(' '))
      .filter((w) => w.length > 0);
    const prompts = Array.from({ length: 10_000 }, (_, i) => Array.from({ length: 12 }, (_, j) => words[(i * 7 + j * 13) % words.length]).join(' '));
    const ids = tok.encodeBatch(prompts);
    expect(ids.dims).toEqual([10_000, 77]);
    for (const i of [0, 4_999, 9_999]) expect(Array.from(ids.data.subarray(i * 77, (i + 1) * 77), Number)).toEqual(Array.from(tok.encode(prompts[i]), Number));
  });

  it('rejects bad input with errors that quote it', async () => {
    const tok = await goldenTokenizer();
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isMaskgenError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => tok.encode(42 as unknown as string))).toBe('INVALID_ARGUMENT');
    expect(code(() => tok.decode([49408]))).toBe('INVALID_ARGUMENT');
    expect(code(() => ClipTokenizer.fromVocabAndMerges('{"a": 0}', '#v\na b c\n'))).toBe('INVALID_TOKENIZER_FILE');
    expect(code(() => ClipTokenizer.fromVocabAndMerges('[1]', '#v\na b\n'))).toBe('INVALID_TOKENIZER_FILE');
    await expect(ClipTokenizer.fromGzip(new Uint8Array([0x1f, 0x8b, 1, 2, 3]))).rejects.toMatchObject({ code: 'INVALID_TOKENIZER_FILE' });
    expect(code(() => new ClipTokenizer(tok.vocab, { contextLength: 1 }))).toBe('INVALID_ARGUMENT');
  });

  it('honours a custom context length', async () => {
    const tok = new ClipTokenizer((await goldenTokenizer()).vocab, { contextLength: 8 });
    const ids = tok.encode('one two three four five six seven eight');
    expect(ids.length).toBe(8);
    expect(ids[7]).toBe(EOT);
  });
});
