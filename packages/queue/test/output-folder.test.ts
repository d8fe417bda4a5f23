import { planPromptItems } from '@maskgen/pipeline';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_FILE, ResultIndex, removeStalePartials, writeItemResult } from '../src/output-folder.js';

const image = { width: 2, height: 2, data: new Uint8Array(16).fill(200) };

describe('the shared output folder', () => {
  it('writes the PNG atomically and one results.jsonl line per item; the index reads appended lines incrementally', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-out-'));
    const items = planPromptItems(
      [
        { index: 1, line: 1, prompt: 'a' },
        { index: 2, line: 3, prompt: 'b' },
      ],
      1,
    );
    const index = new ResultIndex(dir);
    expect(await index.get(items[0].file)).toBeUndefined();
    await writeItemResult(dir, items[0], image, 'm', { steps: 4 }, { job: 'img-1', worker: 'w' });
    expect((await index.get(items[0].file))?.job).toBe('img-1');
    await writeItemResult(dir, items[1], image, 'm', { steps: 4 });
    expect((await index.all()).map((r) => r.file)).toEqual(items.map((i) => i.file));
    expect(readdirSync(dir).sort()).toEqual([...items.map((i) => i.file), RESULTS_FILE].sort());
    const png = readFileSync(join(dir, items[0].file));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.includes(Buffer.from(`seed\0${items[0].seed}`))).toBe(true);
  });

  it('skips torn lines and waits for a line still being written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-out-'));
    writeFileSync(join(dir, RESULTS_FILE), '{"file":"a.png","seed":1}\n{"file":"b.pn\n');
    const index = new ResultIndex(dir);
    expect((await index.all()).map((r) => r.file)).toEqual(['a.png']);
    appendFileSync(join(dir, RESULTS_FILE), '{"file":"c.png",');
    expect(await index.get('c.png')).toBeUndefined();
    appendFileSync(join(dir, RESULTS_FILE), '"seed":3,"prompt":"é"}\n');
    expect(await index.get('c.png')).toMatchObject({ seed: 3, prompt: 'é' });
  });

  it('a record appended after a torn last line (writer killed mid-append) is kept on its own line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-out-'));
    writeFileSync(join(dir, RESULTS_FILE), '{"file":"a.png","seed":1}\n{"file":"b.pn');
    const [item] = planPromptItems([{ index: 3, line: 3, prompt: 'c' }], 1);
    await writeItemResult(dir, item, image, 'm', { steps: 4 });
    expect((await new ResultIndex(dir).all()).map((r) => r.file)).toEqual(['a.png', item.file]);
    expect(readFileSync(join(dir, RESULTS_FILE), 'utf8').endsWith('\n')).toBe(true);
  });

  it("a worker never replaces a FIFO (or device) standing at an item's file name, and leaves no partial file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-out-'));
    const [item] = planPromptItems([{ index: 1, line: 1, prompt: 'a' }], 1);
    execFileSync('mkfifo', [join(dir, item.file)]);
    await expect(writeItemResult(dir, item, image, 'm', {})).rejects.toThrow(/is a FIFO \(named pipe\); maskgen writes only regular files/);
    expect(statSync(join(dir, item.file)).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual([item.file]);
  });

  it('removes partial files of killed writers once older than the stall interval; fresh ones, finished images and look-alikes stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-out-'));
    const names = [
      '0001-a.png.partial-4242-abc123',
      '0002-b.png.partial-99999999-zz9',
      '0003-c.png.partial-1-fresh1',
      '0004-d.png',
      'notes.partial-x',
      'results.jsonl',
    ];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    const old = (Date.now() - 60_000) / 1000;
    for (const n of [names[0], names[1], names[3], names[4]]) utimesSync(join(dir, n), old, old);
    expect((await removeStalePartials(dir, 30_000)).sort()).toEqual([names[0], names[1]]);
    expect(readdirSync(dir).sort()).toEqual(names.slice(2).sort());
    // A later clock: the fresh partial is stale too.
    expect(await removeStalePartials(dir, 30_000, Date.now() + 31_000)).toEqual([names[2]]);
    expect(await removeStalePartials(join(dir, 'absent'), 1)).toEqual([]);
  });
});
