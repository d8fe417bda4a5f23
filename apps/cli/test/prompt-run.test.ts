import { MAX_PROMPTS, type PromptItem, type TextToImage, deriveSeed, parsePromptList, planPromptItems } from '@maskgen/pipeline';
import { RESULTS_FILE, appendResult } from '@maskgen/queue/output-folder';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressBars } from '../src/progress-bar.js';
import { DEFAULT_BATCH_SIZE, batchSizeFor, pendingItems, runPromptItems } from '../src/prompt-run.js';

/** A TextToImage that only records how many prompts each call got and returns 2×2 images. */
function recordingT2i(family: string, calls: number[]): TextToImage {
  return {
    family,
    modelId: 'fake/model',
    generate: async (prompts: string[], o: { onProgress?: (e: { phase: 'sample'; step: number; total: number }) => void }) => {
      calls.push(prompts.length);
      for (let step = 1; step <= 2; step++) o.onProgress?.({ phase: 'sample', step, total: 2 });
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

  it('a file longer than one call: 130 prompts run as 130 calls by default, [64, 64, 2] with --batch-size 64', async () => {
    for (const [size, want] of [
      [undefined, Array(130).fill(1)],
      [MAX_PROMPTS, [64, 64, 2]],
    ] as const) {
      const calls: number[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'maskgen-prompt-run-'));
      const records = await runPromptItems(recordingT2i('vq', calls), 'fake/model', items(130), dir, size, {});
      expect(calls).toEqual(want);
      expect(records.map((r) => r.seed)).toEqual(items(130).map((it) => it.seed));
      expect(readFileSync(join(dir, RESULTS_FILE), 'utf8').trim().split('\n')).toHaveLength(130);
    }
    expect(MAX_PROMPTS).toBe(64);
  });

  it('plans a 1000-line file: every prompt its own index, file and derived seed, comments skipped', () => {
    const text = Array.from({ length: 1000 }, (_, i) => (i % 10 === 9 ? `# comment ${i}` : `prompt number ${i}`)).join('\n');
    const list = parsePromptList(text);
    expect(list).toHaveLength(900);
    const planned = planPromptItems(list, 7, 2);
    expect(planned).toHaveLength(1800);
    expect(new Set(planned.map((p) => p.file)).size).toBe(1800);
    expect(planned.at(-1)).toMatchObject({ index: 900, line: 999, image: 1, prompt: 'prompt number 998', seed: deriveSeed(7, 900, 1) });
    expect(planned.at(-1)!.file).toBe('0900-prompt-number-998-1.png');
  });

  it('on a pipe, every batch prints its own sampling line (progress restarts per model call)', async () => {
    let out = '';
    const bars = new ProgressBars({ isTTY: false, write: (t: string) => (out += t) }, false, {});
    const settings = { onProgress: bars.handle };
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-prompt-run-'));
    await runPromptItems(recordingT2i('vq', []), 'fake/model', items(5), dir, 2, settings, { onBatch: () => bars.nextRun() });
    expect(out.match(/^sample: 2\/2 in \d+\.\d s$/gm)).toHaveLength(3);
    // Downloads are once per process: a finished one is not printed again after nextRun.
    out = '';
    bars.handle({ phase: 'download', file: 'w', loaded: 1, total: 1 });
    bars.nextRun();
    bars.handle({ phase: 'download', file: 'w', loaded: 1, total: 1 });
    expect(out.match(/^download w:/gm)).toHaveLength(1);
  });
});

describe('--prompts resume', () => {
  it('an item is done only when its file exists and results.jsonl records it (a kill between the two redoes it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-prompt-run-'));
    const all = items(4);
    const [a, b, c] = all;
    // a: file and record; b: file only (killed before its line); c: record only (file deleted); d: nothing.
    await runPromptItems(recordingT2i('vq', []), 'fake/model', [a], dir, 1, {});
    writeFileSync(join(dir, b.file), 'png bytes');
    await appendResult(dir, { ...c, model: 'fake/model', settings: {} });
    expect((await pendingItems(all, dir)).map((it) => it.file)).toEqual([b.file, c.file, all[3].file]);
    expect(await pendingItems(all, dir, true)).toEqual(all);
    // A torn last line (killed mid-append) records nothing.
    const intact = readFileSync(join(dir, RESULTS_FILE), 'utf8');
    writeFileSync(join(dir, RESULTS_FILE), `${intact}{"file":"${b.file}","ind`);
    expect((await pendingItems(all, dir)).map((it) => it.file)).toEqual([b.file, c.file, all[3].file]);
    writeFileSync(join(dir, RESULTS_FILE), intact);
    // The redo appends b's record: now it counts as done.
    await runPromptItems(recordingT2i('vq', []), 'fake/model', [b], dir, 1, {});
    expect((await pendingItems(all, dir)).map((it) => it.file)).toEqual([c.file, all[3].file]);
  });
});
