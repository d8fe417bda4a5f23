import { isMaskgenError } from '@maskgen/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../src/index.js';
import { goldenTokenizer, hfTokenizerFiles } from './golden-paths.js';

describe('tokenizer under fuzzing', () => {
  it('turns any string (lone surrogates, controls, any plane) into 77 ids starting with SOT and holding one EOT', async () => {
    const tok = await goldenTokenizer();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.string({ unit: 'grapheme-composite', maxLength: 300 }),
        ),
        async (s) => {
          const ids = Array.from(tok.encode(s), Number);
          expect(ids).toHaveLength(77);
          expect(ids[0]).toBe(49406);
          expect(ids.filter((v) => v === 49407)).toHaveLength(1);
          expect(ids.every((v) => Number.isInteger(v) && v >= 0 && v < 49408)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('rejects corrupt vocab.json / merges.txt with INVALID_TOKENIZER_FILE-style MaskgenErrors, never a crash', async () => {
    const { vocabJson: vocab, mergesText: merges } = hfTokenizerFiles();
    const lines = merges.split('\n');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 40 }), fc.string({ maxLength: 30 }), fc.boolean(), async (line, junk, hitVocab) => {
        const m = [...lines];
        const v = hitVocab ? vocab.slice(0, Math.max(1, vocab.length - 1 - ((line * 97) % 5000))) + junk : vocab;
        if (!hitVocab) m[1 + line] = junk;
        try {
          ClipTokenizer.fromVocabAndMerges(v, m.join('\n'));
        } catch (e) {
          expect(isMaskgenError(e), String(e)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
