import { MaskgenError } from '@maskgen/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CacheIo, type WritableFile } from '../src/node/index.js';
import { nodeCacheIo } from '../src/node/cache-io.js';
import { type HubFixture, hubFixture, readAll, sameBytes, sha256 } from './hub-fixtures.js';

const MODEL = 'model.safetensors';
const cdnOnly = /^\/cdn\//;

describe('hub source: faults on the wire and on disk', () => {
  let fx: HubFixture;
  beforeEach(async () => {
    fx = await hubFixture();
  });
  afterEach(() => fx.close());

  const onlyVerified = async () => (await fx.listCache()).filter((f) => !f.startsWith('models--acme--tiny-model/refs/') && !f.includes('.no_exist'));

  it('resumes after a dropped connection with a Range request from the bytes already received', async () => {
    fx.hub.setFault({ fault: { kind: 'drop', afterBytes: 300_000 }, path: cdnOnly });
    const h = await fx.source().open(MODEL);
    expect(sameBytes(await readAll(h), fx.files[MODEL])).toBe(true);
    const gets = fx.takeRequests().filter((r) => r.cdn);
    expect(gets.length).toBe(2);
    expect(gets[1].range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(gets[1].range!)![0])).toBeGreaterThanOrEqual(200_000);
  });

  it('resumes across runs: an aborted download is parked and the next source continues it', async () => {
    fx.hub.setFault({ fault: { kind: 'slow', bytesPerSecond: 2_000_000 }, path: cdnOnly });
    const ac = new AbortController();
    const first = fx.source({ signal: ac.signal, onProgress: (e) => e.phase === 'download' && e.loaded > 0 && ac.abort() }).open(MODEL);
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    expect((await fx.listCache()).some((f) => f.endsWith('.incomplete'))).toBe(true);
    fx.takeRequests();
    const h = await fx.source().open(MODEL);
    expect(sameBytes(await readAll(h), fx.files[MODEL])).toBe(true);
    expect(fx.takeRequests().find((r) => r.cdn)?.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect((await fx.listCache()).some((f) => f.includes('incomplete'))).toBe(false);
  });

  it('rejects a corrupted body (sha256 mismatch) and leaves nothing in the cache', async () => {
    fx.hub.setFault({ fault: { kind: 'corrupt' }, path: cdnOnly });
    await expect(fx.source().open(MODEL)).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT', message: expect.stringContaining(sha256(fx.files[MODEL])) });
    expect(await onlyVerified()).toEqual([]);
    expect(sameBytes(await readAll(await fx.source().open(MODEL)), fx.files[MODEL])).toBe(true);
  });

  it('rejects a body whose length differs from the announced size, and a corrupted small file (git sha1)', async () => {
    fx.hub.setFault({ fault: { kind: 'wrong-length', delta: 10 }, path: cdnOnly });
    await expect(fx.source().open(MODEL)).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT' });
    fx.hub.setFault({ fault: { kind: 'wrong-length', delta: -10 }, path: cdnOnly });
    await expect(fx.source().open(MODEL)).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT' });
    fx.hub.setFault({ fault: { kind: 'corrupt' }, method: 'GET', file: 'config.json' });
    await expect(fx.source().open('config.json')).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT', message: expect.stringContaining('git-sha1') });
    expect(await onlyVerified()).toEqual([]);
  });

  it('retries 5xx and 429 (honouring Retry-After) with backoff, then gives up with NETWORK', async () => {
    fx.hub.setFault({ fault: { kind: 'status', status: 503 }, method: 'HEAD', times: 2 });
    fx.hub.setFault({ fault: { kind: 'status', status: 429, retryAfter: 0 }, path: cdnOnly });
    await fx.source().open(MODEL);
    expect(fx.takeRequests().map((r) => r.status)).toEqual([503, 503, 302, 302, 429, 302, 200]);
    fx.hub.setFault({ fault: { kind: 'status', status: 500 }, file: 'config.json', times: Infinity });
    await expect(fx.source().open('config.json')).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('HF_ENDPOINT') });
    expect(fx.takeRequests().length).toBe(4);
  });

  it('cuts off a stalled body after the stall timeout and resumes', async () => {
    fx.hub.setFault({ fault: { kind: 'stall', afterBytes: 100_000 }, path: cdnOnly });
    const started = Date.now();
    const h = await fx.source({ timeouts: { stallMs: 200 } }).open(MODEL);
    expect(sameBytes(await readAll(h), fx.files[MODEL])).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(
      fx
        .takeRequests()
        .filter((r) => r.cdn)
        .map((r) => r.range),
    ).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
  });

  it('retries a server that sends no headers within the metadata timeout', async () => {
    fx.hub.setFault({ fault: { kind: 'slow', delayMs: 1500 }, method: 'HEAD' });
    const h = await fx.source({ timeouts: { metadataMs: 200 } }).open('config.json');
    expect(h.size).toBe(fx.files['config.json'].byteLength);
    expect(fx.takeRequests().filter((r) => r.method === 'HEAD').length).toBe(2);
  });

  it('restarts from zero when a resume is answered with the whole body (server ignores Range)', async () => {
    fx.hub.setFault({ fault: { kind: 'drop', afterBytes: 200_000 }, path: cdnOnly });
    fx.hub.setFault({ fault: { kind: 'ignore-range' }, path: cdnOnly });
    expect(sameBytes(await readAll(await fx.source().open(MODEL)), fx.files[MODEL])).toBe(true);
  });

  it('re-resolves once when the ETag changes between HEAD and GET; fails clean when it keeps changing', async () => {
    fx.hub.setFault({ fault: { kind: 'etag-change' }, method: 'GET', file: 'config.json' });
    expect(new TextDecoder().decode(await readAll(await fx.source().open('config.json')))).toContain('width');
    expect(fx.takeRequests().filter((r) => r.method === 'HEAD').length).toBe(2);
    await fx.close();
    fx = await hubFixture();
    fx.hub.setFault({ fault: { kind: 'etag-change' }, method: 'GET', file: MODEL, times: Infinity });
    await expect(fx.source().open(MODEL)).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT', message: expect.stringContaining('changed on the server') });
    expect(await onlyVerified()).toEqual([]);
  });

  it('on a full disk: CACHE_IO, only verified files in the cache, and a retry succeeds', async () => {
    let full = true;
    const io: CacheIo = {
      freeBytes: async () => undefined,
      async openWrite(path, mode) {
        const real = await nodeCacheIo.openWrite(path, mode);
        let written = 0;
        const w: WritableFile = {
          ...real,
          async write(data, pos) {
            written += data.byteLength;
            if (full && written > 150_000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            await real.write(data, pos);
          },
        };
        return w;
      },
    };
    await fx.source({ io }).open('config.json');
    const err = await fx
      .source({ io })
      .open(MODEL)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaskgenError);
    expect(err).toMatchObject({ code: 'CACHE_IO', message: expect.stringContaining('disk is full') });
    expect((await onlyVerified()).filter((f) => f.includes('blobs/')).length).toBe(1);
    expect((await fx.listCache()).some((f) => f.includes('incomplete'))).toBe(false);
    full = false;
    expect(sameBytes(await readAll(await fx.source({ io }).open(MODEL)), fx.files[MODEL])).toBe(true);
  });

  it('says NETWORK with the mirror/offline advice when the endpoint cannot be reached', async () => {
    const url = fx.hub.url;
    await fx.hub.close();
    const retries: { attempt: number; retries: number; status: number }[] = [];
    const onRetry = (r: { attempt: number; retries: number; status: number }) => retries.push({ attempt: r.attempt, retries: r.retries, status: r.status });
    const err = await fx
      .source({ endpoint: url, retry: { retries: 2, baseDelayMs: 1, onRetry } })
      .open('config.json')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK' });
    // Each wait is announced before it happens (a UI shows "retrying 1/2", "2/2"), none after the last try.
    expect(retries).toEqual([
      { attempt: 1, retries: 2, status: 0 },
      { attempt: 2, retries: 2, status: 0 },
    ]);
    expect((err as Error).message).toMatch(/HF_ENDPOINT.*HF_HUB_OFFLINE=1.*local folder/);
  });
});
