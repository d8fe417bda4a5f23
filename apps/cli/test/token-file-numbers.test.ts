import { isMaskgenError, tensor } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { tokensFromJson } from '../src/image-io.js';
import { decodeNpy, encodeNpy } from '../src/npy.js';

const json = (mode: string, tokens: string) => `{"model":"m","mode":"${mode}","dims":[1,2],"tokens":[${tokens}]}`;
const refused = (f: () => unknown, re: RegExp) => {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(isMaskgenError(error), `expected a MaskgenError matching ${re}, got ${String(error)}`).toBe(true);
  expect((error as Error).message).toMatch(re);
};

describe('token files: ids exact, latents finite and bounded', () => {
  // One line per hostile file: ids past 2^53 would be silently rounded by JSON.parse, so they are refused.
  const cases: [string, RegExp][] = [
    [json('vq', '9007199254740993, 1'), /non-negative integers below 2\^53/],
    [json('vq', '18446744073709551617, 1'), /non-negative integers below 2\^53/],
    [json('vq', '-1, 1'), /non-negative integers/],
    [json('vq', '1.5, 1'), /non-negative integers/],
    [json('vae', '1e38, 0'), /latents must lie in \[-10000, 10000\]/],
    [json('vae', '1e999, 0'), /finite numbers/],
  ];
  for (const [text, re] of cases) it(text.slice(30), () => refused(() => tokensFromJson(text, 't.json'), re));
  it('exact ids within range pass unchanged', () => {
    expect(Array.from(tokensFromJson(json('vq', '9007199254740991, 0'), 't.json').tensor.data as BigInt64Array)).toEqual([9007199254740991n, 0n]);
  });
  it('.npy latents with NaN/Inf/huge values and negative int64 ids are refused', () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, 3e38])
      refused(() => decodeNpy(encodeNpy(tensor('float32', [1, 2], [v, 0])), 't.npy'), /latents must be finite/);
    refused(() => decodeNpy(encodeNpy(tensor('int64', [1, 2], [-5n, 0n] as unknown as number[])), 't.npy'), /token ids must be non-negative/);
    expect(Array.from(decodeNpy(encodeNpy(tensor('float32', [1, 2], [0.5, -2])), 't.npy').data as Float32Array)).toEqual([0.5, -2]);
  });
});
