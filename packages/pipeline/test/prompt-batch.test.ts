import { SeededRng } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { deriveSeed, parsePromptList, planPromptItems, rowSeededRng } from '../src/index.js';
import { promptSlug } from '../src/prompt-batch.js';

describe('prompt lists for --prompts', () => {
  it('skips # comments and blank lines, trims, keeps line numbers and 1-based indices', () => {
    expect(parsePromptList('# header\n\n  a fox  \r\n\t# note\nb cat\n#\n')).toEqual([
      { index: 1, line: 3, prompt: 'a fox' },
      { index: 2, line: 5, prompt: 'b cat' },
    ]);
    expect(parsePromptList('')).toEqual([]);
  });

  it('derives per-item seeds that depend only on (seed, index, image)', () => {
    const a = deriveSeed(7, 1);
    expect(deriveSeed(7, 1, 0)).toBe(a);
    expect(new Set([a, deriveSeed(7, 2), deriveSeed(8, 1), deriveSeed(7, 1, 1), deriveSeed(7 + 2 ** 32, 1)]).size).toBe(5);
    expect(Number.isInteger(a) && a >= 0 && a < 2 ** 32).toBe(true);
    expect(() => deriveSeed(-1, 1)).toThrow(/seed: expected a non-negative safe integer, got -1/);
    const items = planPromptItems(parsePromptList('x\ny'), 7, 2);
    expect(items.map((i) => [i.file, i.seed])).toEqual([
      ['0001-x-0.png', deriveSeed(7, 1, 0)],
      ['0001-x-1.png', deriveSeed(7, 1, 1)],
      ['0002-y-0.png', deriveSeed(7, 2, 0)],
      ['0002-y-1.png', deriveSeed(7, 2, 1)],
    ]);
  });

  it('slugs are safe file names', () => {
    expect(promptSlug('A Café at Night!')).toBe('a-cafe-at-night');
    expect(promptSlug('../../etc/passwd')).toBe('etc-passwd');
    expect(promptSlug('日本語')).toBe('prompt');
    expect(promptSlug('x'.repeat(200)).length).toBe(48);
  });

  it("rowSeededRng draws for each row exactly what that row's seed draws alone", () => {
    const rng = rowSeededRng([3, 9]);
    const u = rng.uniform([2, 5, 4]);
    const u2 = rng.uniform([2, 3]);
    for (const [row, seed] of [
      [0, 3],
      [1, 9],
    ]) {
      const alone = new SeededRng(seed);
      expect(Array.from(u.subarray(row * 20, row * 20 + 20))).toEqual(Array.from(alone.uniform([1, 5, 4])));
      expect(Array.from(u2.subarray(row * 3, row * 3 + 3))).toEqual(Array.from(alone.uniform([1, 3])));
    }
    expect(() => rng.uniform([3, 2])).toThrow(/does not split into 2 rows/);
    expect(() => rng.shuffle(4)).toThrow(/cannot be split/);
    expect(rowSeededRng([5]).uniform([4])).toEqual(new SeededRng(5).uniform([4]));
  });
});
