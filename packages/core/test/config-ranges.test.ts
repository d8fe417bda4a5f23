import { describe, expect, it } from 'vitest';
import { CONFIG_RANGES, configNumber, isMaskgenError, quote } from '../src/index.js';

const refused = (f: () => unknown, re: RegExp) => {
  try {
    f();
  } catch (e) {
    expect(isMaskgenError(e, 'INVALID_CONFIG')).toBe(true);
    expect((e as Error).message).toMatch(re);
    return;
  }
  expect.fail(`expected a refusal matching ${re}`);
};

describe('config ranges: one table, one check', () => {
  // One line per case: field, value, expected message (undefined: accepted).
  const cases: [string, unknown, RegExp | undefined][] = [
    ['scale_factor', 0, /scale_factor: expected a number in \(0, 10000\], got 0/],
    ['scale_factor', 0.7525, undefined],
    ['num_iter', 1e9, /expected an integer in \[1, 1000\]/],
    ['cfg', Number.NaN, /expected a number in \[0, 100\], got NaN/],
    ['cfg', Number.POSITIVE_INFINITY, /got Infinity/],
    ['crop_size', 256, undefined],
    ['crop_size', 1 << 20, /crop_size: expected an integer in \[1, 4096\]/],
    ['temperature', '2', /expected a number in \[0, 100\], got "2"/],
  ];
  for (const [key, value, re] of cases) {
    it(`${key} = ${String(value)}`, () => {
      if (re) refused(() => configNumber({ [key]: value }, key, 'model.x'), re);
      else expect(configNumber({ [key]: value }, key, 'model.x')).toBe(value);
    });
  }
  it('every range is finite and ordered', () => {
    for (const r of Object.values(CONFIG_RANGES)) expect(Number.isFinite(r.min) && Number.isFinite(r.max) && r.min < r.max).toBe(true);
  });
});

describe('quote: bounded for hostile values', () => {
  it('a 2M-deep nested value does not overflow the stack, and a huge array is not copied', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 2_000_000; i++) deep = [deep];
    expect(quote(deep)).toBe('[[[[[…]]]]]');
    let obj: unknown = {};
    for (let i = 0; i < 2_000_000; i++) obj = { a: obj };
    expect(quote(obj)).toBe('{"a":{"a":{"a":{"a":{…}}}}}');
    const big = new Array(10_000_000).fill(7);
    expect(quote(big).length).toBeLessThanOrEqual(81);
    expect(quote({ a: 1, b: 'x' })).toBe('{"a":1,"b":"x"}');
    expect(quote('y'.repeat(500))).toMatch(/^"y+…$/);
  });
});
