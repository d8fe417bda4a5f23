import { SafetensorsFile } from '@maskgen/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HubFixture, hubFixture, readAll, sameBytes } from './hub-fixtures.js';

const MODEL = 'model.safetensors';
const block = 16 * 1024;

describe('hub source: byte-range reads of remote safetensors', () => {
  let fx: HubFixture;
  beforeEach(async () => {
    fx = await hubFixture();
  });
  afterEach(() => fx.close());

  const cdnBytes = () =>
    fx
      .takeRequests()
      .filter((r) => r.cdn && r.range)
      .reduce((s, r) => {
        const [a, b] = /bytes=(\d+)-(\d+)/.exec(r.range!)!.slice(1).map(Number);
        return s + (b - a + 1);
      }, 0);

  it('reads the header and one tensor without downloading the big one, then again from the range cache', async () => {
    const src = fx.source({ rangeBlockSize: block });
    const h = await src.open(MODEL, { access: 'ranges' });
    expect(h.localPath).toBeUndefined();
    expect(h.size).toBe(fx.files[MODEL].byteLength);
    const st = await SafetensorsFile.open(h);
    expect(Array.from(await st.readFloat32('text.weight')).slice(0, 3)).toEqual([0, 0.125, 0.25]);
    const fetched = cdnBytes();
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThan(3 * block);
    expect(fetched).toBeLessThan(h.size / 10);

    const again = fx.source({ rangeBlockSize: block, rangeFiles: [MODEL] });
    const st2 = await SafetensorsFile.open(await again.open(MODEL));
    expect((await st2.readFloat32('text.weight'))[8]).toBe(1);
    expect(fx.takeRequests()).toEqual([]);
    const offline = fx.source({ rangeBlockSize: block, rangeFiles: [MODEL], offline: true });
    const st3 = await SafetensorsFile.open(await offline.open(MODEL));
    expect((await st3.readFloat32('text.weight'))[1]).toBe(0.125);
    await expect(st3.read('vision.weight')).rejects.toMatchObject({ code: 'OFFLINE' });
  });

  it('returns the complete cached file when it is already downloaded (no range requests)', async () => {
    await fx.source().download(MODEL);
    fx.takeRequests();
    const h = await fx.source({ rangeFiles: () => true }).open(MODEL);
    expect(h.localPath).toBeDefined();
    expect(fx.takeRequests()).toEqual([]);
  });

  it('resumes a range after a dropped connection and survives 503s', async () => {
    fx.hub.setFault({ fault: { kind: 'drop', afterBytes: 5000 }, path: /^\/cdn\//, method: 'GET' });
    fx.hub.setFault({ fault: { kind: 'status', status: 503 }, path: /^\/cdn\//, method: 'GET' });
    const h = await fx.source({ cacheRanges: false }).openRanges(MODEL);
    const bytes = await h.read(1000, 100_000);
    expect(sameBytes(bytes, fx.files[MODEL].subarray(1000, 101_000))).toBe(true);
    const ranges = fx
      .takeRequests()
      .filter((r) => r.cdn)
      .map((r) => r.range);
    expect(ranges[0]).toBe('bytes=1000-100999');
    expect(ranges.at(-1)).toMatch(/^bytes=\d+-100999$/);
  });

  it('refuses a server that ignores Range instead of downloading the whole file by accident', async () => {
    fx.hub.setFault({ fault: { kind: 'ignore-range' }, path: /^\/cdn\// });
    const h = await fx.source({ cacheRanges: false }).openRanges(MODEL);
    await expect(h.read(0, 8)).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('Range') });
  });

  it('reads a whole file through ranges identically', async () => {
    const h = await fx.source({ rangeBlockSize: 100_000 }).openRanges(MODEL);
    expect(sameBytes(await readAll(h), fx.files[MODEL])).toBe(true);
    await h.close?.();
  });
});
