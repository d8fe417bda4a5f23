import type { PromptItem, TextToImage } from '@maskgen/pipeline';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCH_SIZE, batchSizeFor, runPromptItems } from '../src/prompt-run.js';

/** A TextToImage that only records how many prompts each call got and returns 2×2 images. */
function recordingT2i(family: string, calls: number[]): TextToImage {
  return {
    family,
    modelId: 'fake/model',
    generate: async (prompts: string[]) => {
      calls.push(prompts.length);
      return { images: prompts.map(() => ({ width: 2, height: 2, data: new Uint8Array(16).fill(200) })), settings: { steps: 1 } };
    },
  } as unknown as TextToImage;
}

const items = (n: number): PromptItem[] =>
  Array.from({ length: n }, (_, i) => ({ index: i + 1, line: i + 1, image: 0, prompt: `p${i}`, seed: 100 + i, file: `${i}.png` }));

describe('--prompts batch size', () => {
  it('without --batch-size, VQ runs the measured default and KL runs one image per call', async () => {
    expect(DEFAULT_BATCH_SIZE).toBe(1);
    for (const family of ['vq', 'kl']) {
      const calls: number[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'maskgen-prompt-run-'));
      await runPromptItems(recordingT2i(family, calls), 'fake/model', items(5), dir, undefined, {});
      expect(calls, family).toEqual(Array(5).fill(family === 'kl' ? 1 : DEFAULT_BATCH_SIZE));
      expect(readdirSync(dir).filter((f) => f.endsWith('.png'))).toHaveLength(5);
    }
  });

  it('an explicit --batch-size chunks VQ runs (the last chunk holds the rest); KL still runs one at a time', async () => {
    const calls: number[] = [];
    await runPromptItems(recordingT2i('vq', calls), 'fake/model', items(5), mkdtempSync(join(tmpdir(), 'maskgen-prompt-run-')), 2, {});
    expect(calls).toEqual([2, 2, 1]);
    expect([batchSizeFor('kl', 8), batchSizeFor('vq', 8), batchSizeFor('vq', undefined)]).toEqual([1, 8, DEFAULT_BATCH_SIZE]);
  });
});
