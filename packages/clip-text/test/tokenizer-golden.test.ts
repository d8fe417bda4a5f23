import { describe, expect, it } from 'vitest';
import { TOKENIZER_DIR, goldenPrompts, goldenTokenizer, readIo } from './golden-paths.js';

describe('clip_tokenizer golden', () => {
  const { prompts, detail } = goldenPrompts();

  it('cleans every prompt as ftfy + html.unescape + whitespace + lower()', async () => {
    const tok = await goldenTokenizer();
    const bad = detail.filter((d) => tok.clean(d.prompt) !== d.cleaned).map((d) => [d.prompt, tok.clean(d.prompt), d.cleaned]);
    expect(bad).toEqual([]);
  });

  it('splits pre-tokens and BPE pieces as open_clip does', async () => {
    const tok = await goldenTokenizer();
    for (const d of detail) {
      expect(tok.preTokens(d.prompt), d.prompt).toEqual(d.pre_tokens);
      expect(tok.bpePieces(d.prompt), d.prompt).toEqual(d.bpe);
      expect(tok.encodeText(d.prompt).length, d.prompt).toBe(d.num_bpe_ids);
    }
  });

  it('produces every id exactly', async () => {
    const tok = await goldenTokenizer();
    const expected = await readIo(TOKENIZER_DIR, 'ids');
    const ids = tok.encodeBatch(prompts);
    expect(ids.dims).toEqual(expected.dims);
    expect(Array.from(ids.data, Number)).toEqual(expected.values);
  });
});
