import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listCache, removeFromCache } from '../src/node/cache-admin.js';
import { resolveHubSettings } from '../src/node/hub-settings.js';
import { type HubFixture, hubFixture, readAll, sameBytes } from './hub-fixtures.js';

const MODEL = 'model.safetensors';
const cdnOnly = /^\/cdn\//;

/** Hostile servers (issue 23): each must end in a typed error within bounded time and requests. */
describe('hub source: every transfer ends (deadline, minimum rate, retries across resumes, 416 after resume)', () => {
  let fx: HubFixture;
  beforeEach(async () => {
    fx = await hubFixture();
  });
  afterEach(() => fx.close());
  const cdnGets = () => fx.takeRequests().filter((r) => r.cdn && r.method === 'GET');
  const noPartials = async () => expect((await fx.listCache()).filter((f) => f.includes('incomplete') || f.includes('.tmp'))).toEqual([]);

  it('a size 100 bytes over a chunked body, with 416 to the resume, is a verification failure, not a restart loop', async () => {
    fx.hub.setFault({ fault: { kind: 'short-chunked', missing: 100 }, path: cdnOnly, times: Infinity });
    await expect(fx.source().open(MODEL)).rejects.toMatchObject({
      code: 'DOWNLOAD_CORRUPT',
      message: expect.stringMatching(/refused to resume at byte \d+ \(416/),
    });
    expect(cdnGets().length).toBe(2);
    await noPartials();
  });

  it('a CDN that trickles one byte at a time is cut off by the minimum rate, retries counted across resumes', async () => {
    fx.hub.setFault({ fault: { kind: 'trickle', intervalMs: 20 }, path: cdnOnly, times: Infinity });
    const started = Date.now();
    const src = fx.source({ timeouts: { stallMs: 5000, minBytesPerSecond: 1000, rateWindowMs: 300 } });
    await expect(src.open(MODEL)).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringMatching(/failed 4 times \(retries are counted across resumes\): .*too slow: .* below the minimum of 1000 bytes\/s/),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(cdnGets().length).toBe(4);
  });

  it('the overall deadline ends a transfer that keeps making progress', async () => {
    fx.hub.setFault({ fault: { kind: 'slow', bytesPerSecond: 20_000 }, path: cdnOnly, times: Infinity });
    await expect(fx.source({ timeouts: { deadlineMs: 400, minBytesPerSecond: 0 } }).open(MODEL)).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringMatching(/did not finish within 0.4 s .*MASKGEN_HUB_DOWNLOAD_DEADLINE/),
    });
  });

  it('a server that drops after every few bytes exhausts the retries instead of being resumed forever', async () => {
    fx.hub.setFault({ fault: { kind: 'drop', afterBytes: 1000 }, path: cdnOnly, times: Infinity });
    await expect(fx.source().open(MODEL)).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('counted across resumes') });
    expect(cdnGets().length).toBe(4);
  });

  it('the limits come from options or MASKGEN_HUB_DOWNLOAD_DEADLINE / MASKGEN_HUB_MIN_RATE, with documented defaults', () => {
    expect(resolveHubSettings({}, {}).transferLimits).toEqual({ deadlineMs: 6 * 3600_000, minBytesPerSecond: 4096, rateWindowMs: 60_000 });
    expect(resolveHubSettings({}, { MASKGEN_HUB_DOWNLOAD_DEADLINE: '90', MASKGEN_HUB_MIN_RATE: '0' }).transferLimits).toMatchObject({
      deadlineMs: 90_000,
      minBytesPerSecond: 0,
    });
  });

  it('still downloads through an honest slow server', async () => {
    fx.hub.setFault({ fault: { kind: 'drop', afterBytes: 100_000 }, path: cdnOnly });
    expect(sameBytes(await readAll(await fx.source().open(MODEL)), fx.files[MODEL])).toBe(true);
  });

  it('.incomplete files of killed processes (dead pid) are resumed or removed by the next run, and counted by cache ls/rm', async () => {
    fx.hub.setFault({ fault: { kind: 'slow', bytesPerSecond: 2_000_000 }, path: cdnOnly });
    const ac = new AbortController();
    await expect(fx.source({ signal: ac.signal, onProgress: (e) => e.phase === 'download' && e.loaded > 0 && ac.abort() }).open(MODEL)).rejects.toMatchObject({
      code: 'ABORTED',
    });
    const parked = (await fx.listCache()).find((f) => f.endsWith('.incomplete'))!;
    // What kill -9 leaves: the temp file of a process that no longer exists (pid above any pid_max), and one of a live process.
    const dead = join(fx.cacheDir, parked.replace(/\.incomplete$/, '.999999999-dead1.incomplete'));
    await rename(join(fx.cacheDir, parked), dead);
    await writeFile(join(fx.cacheDir, parked.replace(/\.incomplete$/, '.999999998-dead2.incomplete')), 'x');
    const live = join(fx.cacheDir, parked.replace(/\.incomplete$/, `.${process.ppid}-live.incomplete`));
    await writeFile(live, 'y');
    const [repo] = await listCache(fx.cacheDir);
    expect(repo.partialBytes).toBeGreaterThan(1);
    fx.takeRequests();
    expect(sameBytes(await readAll(await fx.source().open(MODEL)), fx.files[MODEL])).toBe(true);
    expect(cdnGets()[0]?.range).toMatch(/^bytes=[1-9]\d*-$/);
    const left = (await fx.listCache()).filter((f) => f.includes('incomplete'));
    expect(left).toEqual([live.slice(fx.cacheDir.length + 1)]);
    expect((await listCache(fx.cacheDir))[0].partialBytes).toBe(1);
    expect(await removeFromCache(fx.cacheDir, repo.repoId)).toBeGreaterThan(0);
    expect(await fx.listCache()).toEqual([]);
  });
});
