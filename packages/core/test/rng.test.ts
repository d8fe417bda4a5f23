import { describe, expect, it } from 'vitest';
import { ReplayRng, SeededRng, isMaskgenError, tensor } from '../src/index.js';

describe('SeededRng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    expect(Array.from(a.uniform([16]))).toEqual(Array.from(b.uniform([16])));
    expect(Array.from(a.normal([7]))).toEqual(Array.from(b.normal([7])));
    expect(Array.from(a.shuffle(10))).toEqual(Array.from(b.shuffle(10)));
    expect(Array.from(new SeededRng(43).uniform([16]))).not.toEqual(Array.from(new SeededRng(42).uniform([16])));
  });

  it('pins the stream so it never changes silently across platforms or releases', () => {
    const r = new SeededRng(2025);
    expect(Array.from({ length: 4 }, () => r.nextU32())).toMatchInlineSnapshot(`
      [
        3242873931,
        3052759240,
        290932308,
        1076726169,
      ]
    `);
  });

  it('produces uniforms in range, roughly standard normals and true permutations', () => {
    const r = new SeededRng(7);
    const u = r.uniform([20000], 2, 5);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(5);
    const n = r.normal([20000]);
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(Array.from(r.shuffle(50)).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rejects invalid seeds with a MaskgenError', () => {
    expect(() => new SeededRng(-1)).toThrow(/seed/);
    expect(() => new SeededRng(1.5)).toThrow(/seed/);
  });
});

describe('ReplayRng', () => {
  const draws = [
    { kind: 'np_shuffle', shape: [3], tensor: tensor('int64', [3], [2, 0, 1]) },
    { kind: 'randn', shape: [2], tensor: tensor('float32', [2], [0.5, -0.5]) },
    { kind: 'uniform_', shape: [1, 2], tensor: tensor('float32', [1, 2], [0.25, 0.75]) },
  ];

  it('replays draws in order', () => {
    const r = new ReplayRng(draws);
    expect(Array.from(r.shuffle(3))).toEqual([2, 0, 1]);
    expect(Array.from(r.normal([2]))).toEqual([0.5, -0.5]);
    expect(Array.from(r.uniform([1, 2]))).toEqual([0.25, 0.75]);
    expect(r.remaining).toBe(0);
  });

  it('fails loudly on a kind or shape mismatch and when the recording runs out', () => {
    const r = new ReplayRng(draws);
    expect(() => r.uniform([3])).toThrow(/draw #0 requested uniform_\|rand \[3\] but the recording has np_shuffle \[3\]/);
    const s = new ReplayRng(draws.slice(0, 1));
    expect(() => s.shuffle(4)).toThrow(/RNG|requested/);
    s.shuffle(3);
    const err = (() => {
      try {
        s.normal([1]);
      } catch (e) {
        return e;
      }
    })();
    expect(isMaskgenError(err, 'RNG_REPLAY_MISMATCH')).toBe(true);
  });
});
