import { SafetensorsFile, encodeSafetensors, tensor } from '@maskgen/core';
import { type MockHub, fakeCommit, startMockHub } from '@maskgen/mock-hub';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BrowserSourceOptions, browserSource, cacheStorageStore, listCached, memoryStore, opfsStore, purgeCache } from '../src/index.js';
import { Sha1 } from '../src/sha1.js';
import { Sha256 } from '../src/sha256.js';
import { FakeCacheStorage, FakeDirectory, Quota } from './fake-storage.js';

const REPO = 'acme/web-model';
const weights = encodeSafetensors({
  'text.weight': tensor('float32', [4], Float32Array.from([1, 2, 3, 4])),
  'vision.weight': tensor('float32', [256, 256], new Float32Array(65536).fill(0.5)),
});
const config = new TextEncoder().encode('{"model":{}}');
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('browser source (Cache Storage / OPFS / memory) against the mock hub', () => {
  let root: string;
  let hub: MockHub;
  let since = 0;
  const take = () => hub.requests.splice(since).length + 0 * (since = hub.requests.length);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'web-cache-'));
    await mkdir(join(root, REPO), { recursive: true });
    await writeFile(join(root, REPO, 'model.safetensors'), weights);
    await writeFile(join(root, REPO, 'config.json'), config);
    hub = await startMockHub({ root });
  });
  afterAll(async () => {
    await hub.close();
    await rm(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    hub.clearFaults();
    hub.requests.length = 0;
    since = 0;
  });

  const src = (o: BrowserSourceOptions) => browserSource(REPO, { endpoint: hub.url, retry: { retries: 2, baseDelayMs: 1 }, onWarning: () => {}, ...o });

  for (const backend of ['cache-storage', 'opfs'] as const) {
    it(`${backend}: downloads with progress, then serves from the cache with no request; list and purge`, async () => {
      const env = backend === 'opfs' ? { opfsRoot: new FakeDirectory().root() } : { caches: new FakeCacheStorage().asCacheStorage() };
      const events: number[] = [];
      const a = src({ cache: backend, ...env, onProgress: (e) => e.phase === 'download' && events.push(e.loaded) });
      expect(a.backend).toBe(backend);
      const h = await a.open('model.safetensors');
      expect(same(await h.read(0, h.size), weights)).toBe(true);
      expect(events.at(-1)).toBe(weights.byteLength);
      expect(take()).toBeGreaterThan(0);
      const b = src({ cache: backend, ...env });
      const st = await SafetensorsFile.open(await b.open('model.safetensors'));
      expect(Array.from(await st.readFloat32('text.weight'))).toEqual([1, 2, 3, 4]);
      expect(take()).toBe(0);
      await b.open('config.json');
      const listed = await listCached({ cache: backend, ...env });
      expect(listed.map((e) => [e.repoId, e.file, e.bytes]).sort()).toEqual([
        [REPO, 'config.json', config.byteLength],
        [REPO, 'model.safetensors', weights.byteLength],
      ]);
      expect(await purgeCache({ cache: backend, ...env, repoId: 'other/repo' })).toEqual({ entries: 0, bytes: 0 });
      expect(await purgeCache({ cache: backend, ...env })).toEqual({ entries: 2, bytes: weights.byteLength + config.byteLength });
      expect(await listCached({ cache: backend, ...env })).toEqual([]);
    });

    it(`${backend}: a full quota falls back to memory, says so, and still serves the file`, async () => {
      const quota = new Quota(1000);
      const env = backend === 'opfs' ? { opfsRoot: new FakeDirectory(quota).root() } : { caches: new FakeCacheStorage(quota).asCacheStorage() };
      const warnings: string[] = [];
      const s = src({ cache: backend, ...env, onWarning: (m) => warnings.push(m) });
      const h = await s.open('model.safetensors');
      expect(same(await h.read(0, h.size), weights)).toBe(true);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/quota.*memory.*purgeCache/);
      await s.open('model.safetensors');
      expect(await listCached({ cache: backend, ...env })).toEqual([]);
    });
  }

  it('memory backend and missing storages: works, warns when a requested storage is absent', async () => {
    const warnings: string[] = [];
    const s = src({ cache: 'opfs', onWarning: (m) => warnings.push(m), opfsRoot: undefined });
    expect(s.backend).toBe('memory');
    expect(warnings[0]).toMatch(/opfs is not available/);
    expect((await s.open('config.json')).size).toBe(config.byteLength);
  });

  it('range files: fetch and cache only the blocks read (CLIP text tower without the vision tower)', async () => {
    const caches = new FakeCacheStorage().asCacheStorage();
    const s = src({ caches, rangeBlockSize: 1024 });
    const st = await SafetensorsFile.open(await s.open('model.safetensors', { access: 'ranges' }));
    expect(Array.from(await st.readFloat32('text.weight'))).toEqual([1, 2, 3, 4]);
    const ranged = hub.requests.filter((r) => r.cdn && r.range).length;
    expect(ranged).toBeGreaterThan(0);
    expect(ranged).toBeLessThan(4);
    take();
    const again = src({ caches, rangeBlockSize: 1024, rangeFiles: ['model.safetensors'] });
    const st2 = await SafetensorsFile.open(await again.open('model.safetensors'));
    expect((await st2.readFloat32('text.weight'))[3]).toBe(4);
    expect(take()).toBe(0);
  });

  for (const backend of ['cache-storage', 'opfs', 'memory'] as const) {
    it(`${backend}: an LFS file corrupted behind the CDN redirect, same size, is refused by its sha256 and nothing is stored`, async () => {
      const store =
        backend === 'memory'
          ? memoryStore()
          : backend === 'opfs'
            ? opfsStore(new FakeDirectory().root())
            : cacheStorageStore(new FakeCacheStorage().asCacheStorage());
      hub.setFault({ fault: { kind: 'corrupt' }, path: /^\/cdn\//, times: Infinity });
      const err = await src({ store })
        .open('model.safetensors')
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DOWNLOAD_CORRUPT', message: expect.stringContaining(createHash('sha256').update(weights).digest('hex')) });
      expect(hub.requests.some((r) => r.cdn && r.method === 'GET')).toBe(true);
      expect(await store.list()).toEqual([]);
      hub.clearFaults();
      const h = await src({ store }).open('model.safetensors');
      expect(same(await h.read(0, h.size), weights)).toBe(true);
      expect((await store.list()).map((e) => [e.meta.kind, e.meta.etag])).toEqual([['file', createHash('sha256').update(weights).digest('hex')]]);
    });
  }

  it('a resumed browser download is hashed as a whole: bytes corrupted after the resume are caught', async () => {
    hub.setFault({ fault: { kind: 'drop', afterBytes: 100_000 }, path: /^\/cdn\//, method: 'GET' });
    hub.setFault({ fault: { kind: 'corrupt', at: 1000 }, path: /^\/cdn\//, method: 'GET' });
    const store = memoryStore();
    await expect(src({ store }).open('model.safetensors')).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT', message: expect.stringContaining('sha256') });
    expect(hub.requests.filter((r) => r.cdn && r.method === 'GET').map((r) => r.range ?? 'whole')).toEqual([
      'whole',
      expect.stringMatching(/^bytes=[1-9]\d*-$/),
    ]);
    expect(await store.list()).toEqual([]);
  });

  it('a host without the hub API (a static mirror): one HEAD per file for its size, then the same download path', async () => {
    const noApi: typeof fetch = async (input, init) => (String(input).includes('/api/') ? new Response('not here', { status: 404 }) : fetch(input, init));
    // Pinned to the commit: the page's listing of `main` (made by other tests) is not reused.
    const h = await src({ store: memoryStore(), fetch: noApi, revision: fakeCommit(REPO) }).open('model.safetensors');
    expect(same(await h.read(0, h.size), weights)).toBe(true);
    expect(hub.requests.filter((r) => !r.cdn).map((r) => r.method)).toEqual(['HEAD', 'GET']);
    expect(await src({ store: memoryStore(), fetch: noApi, revision: fakeCommit(REPO) }).exists('nope.json')).toBe(false);
  });

  it('retries 503s, resumes a dropped body, and rejects a corrupted one without caching it', async () => {
    const caches = new FakeCacheStorage();
    hub.setFault({ fault: { kind: 'status', status: 503 }, file: 'model.safetensors' });
    hub.setFault({ fault: { kind: 'drop', afterBytes: 100_000 }, path: /^\/cdn\// });
    const h = await src({ caches: caches.asCacheStorage() }).open('model.safetensors');
    expect(same(await h.read(0, h.size), weights)).toBe(true);
    expect(hub.requests.some((r) => r.cdn && r.range?.startsWith('bytes=1'))).toBe(true);

    await hub.close();
    hub = await startMockHub({ root, redirectLfs: false });
    const fresh = new FakeCacheStorage();
    hub.setFault({ fault: { kind: 'corrupt' }, method: 'GET', file: 'model.safetensors' });
    await expect(src({ caches: fresh.asCacheStorage() }).open('model.safetensors')).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT' });
    expect(await listCached({ caches: fresh.asCacheStorage(), cache: 'cache-storage' })).toEqual([]);
    await expect(src({ caches: fresh.asCacheStorage() }).open('nope.json')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(src({}).open('../x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('incremental sha1 (git blob ids) matches node:crypto across chunkings', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_000]) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + 3) & 255);
      const s = new Sha1();
      for (let i = 0; i < n; ) {
        const k = Math.min(n - i, 1 + ((i * 7) % 89));
        s.update(b.subarray(i, i + k));
        i += k;
      }
      expect(s.hex(), String(n)).toBe(createHash('sha1').update(b).digest('hex'));
    }
  });

  it('incremental sha256 matches node:crypto across chunkings', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_000]) {
      const b = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
      const s = new Sha256();
      for (let i = 0; i < n; ) {
        const k = Math.min(n - i, 1 + ((i * 13) % 97));
        s.update(b.subarray(i, i + k));
        i += k;
      }
      expect(s.hex(), String(n)).toBe(createHash('sha256').update(b).digest('hex'));
    }
  });
});
