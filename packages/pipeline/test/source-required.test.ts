import type { Runtime } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { createImageTokenizer, createTextToImage } from '../src/index.js';

const runtime: Runtime = { name: 'unused', createSession: () => Promise.reject(new Error('no session expected')) };

describe('the pipeline takes its files from a source, never from the runtime', () => {
  it('without `source`, says what to pass (hub sources for Node and browsers) instead of guessing', async () => {
    for (const make of [createTextToImage, createImageTokenizer] as const) {
      const e = await make('turkeyju/generator_maskgen_vq_xl', { runtime } as never).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/source.*hubSources.*@maskgen\/hub\/node.*browserSource/) });
    }
  });
});
