import { type ProgressEvent, SafetensorsFile, readJson } from '@maskgen/core';
import { fakeCommit } from '@maskgen/mock-hub';
import { existsSync } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubSource } from '../src/node/index.js';
import { type HubFixture, REPO, gitSha1, hubFixture, readAll, sameBytes, sha256 } from './hub-fixtures.js';

describe('hub source: downloads and the shared cache layout', () => {
  let fx: HubFixture;
  beforeEach(async () => {
    fx = await hubFixture();
  });
  afterEach(() => fx.close());

  it('downloads into the Python layout: blobs by etag, relative snapshot symlinks, refs/main', async () => {
    const events: ProgressEvent[] = [];
    const src = fx.source({ onProgress: (e) => events.push(e) });
    const commit = fakeCommit(REPO);
    const model = await src.open('model.safetensors');
    expect(model.localPath).toBe(join(fx.cacheDir, 'models--acme--tiny-model', 'snapshots', commit, 'model.safetensors'));
    expect(sameBytes(await readAll(model), fx.files['model.safetensors'])).toBe(true);
    expect(await readJson(src, 'config.json')).toEqual({ model: { width: 64 } });
    const nested = await src.open('sub/notes.txt');
    expect(new TextDecoder().decode(await readAll(nested))).toBe('nested file');

    const storage = join(fx.cacheDir, 'models--acme--tiny-model');
    const lfsEtag = sha256(fx.files['model.safetensors']);
    const gitEtag = gitSha1(fx.files['config.json']);
    expect(await readFile(join(storage, 'refs', 'main'), 'utf8')).toBe(commit);
    expect(await readlink(join(storage, 'snapshots', commit, 'model.safetensors'))).toBe(`../../blobs/${lfsEtag}`);
    expect(await readlink(join(storage, 'snapshots', commit, 'config.json'))).toBe(`../../blobs/${gitEtag}`);
    expect(await readlink(join(storage, 'snapshots', commit, 'sub', 'notes.txt'))).toBe(`../../../blobs/${gitSha1(fx.files['sub/notes.txt'])}`);
    expect((await lstat(join(storage, 'blobs', lfsEtag))).isFile()).toBe(true);
    expect((await fx.listCache()).filter((f) => f.includes('incomplete') || f.endsWith('.tmp'))).toEqual([]);
    expect(src.commit).toBe(commit);

    const last = events.filter((e) => e.phase === 'download' && e.file === 'model.safetensors').at(-1);
    expect(last).toMatchObject({ loaded: fx.files['model.safetensors'].byteLength, total: fx.files['model.safetensors'].byteLength });
    expect(events.at(-1)).toMatchObject({ overallLoaded: expect.any(Number), overallTotal: expect.any(Number) });
  });

  it('serves a cache hit without any request, from a new source instance', async () => {
    await fx.source().download('model.safetensors');
    await fx.source().download('config.json');
    fx.takeRequests();
    const again = fx.source();
    const st = await SafetensorsFile.open(await again.open('model.safetensors'));
    expect([...st.tensors.keys()].sort()).toEqual(['text.weight', 'vision.weight']);
    expect(await again.exists('config.json')).toBe(true);
    expect(fx.takeRequests()).toEqual([]);
  });

  it('pins a revision given as a commit and reuses files under it without a ref', async () => {
    const commit = fakeCommit(REPO);
    const src = fx.source({ revision: commit });
    await src.open('config.json');
    expect(fx.takeRequests().every((r) => r.path.includes(`/resolve/${commit}/`))).toBe(true);
    expect(existsSync(join(fx.cacheDir, 'models--acme--tiny-model', 'refs', commit))).toBe(false);
    await fx.source({ revision: commit, offline: true }).open('config.json');
    expect(fx.takeRequests()).toEqual([]);
  });

  it('answers NOT_FOUND naming repo and file, remembers it in .no_exist, and exists() is false', async () => {
    const src = fx.source();
    await expect(src.open('missing.bin')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/acme\/tiny-model.*missing\.bin/) });
    expect(existsSync(join(fx.cacheDir, 'models--acme--tiny-model', '.no_exist', fakeCommit(REPO), 'missing.bin'))).toBe(true);
    await src.open('config.json');
    fx.takeRequests();
    expect(await fx.source().exists('missing.bin')).toBe(false);
    expect(fx.takeRequests()).toEqual([]);
    await expect(hubSource('acme/nothing-here', { endpoint: fx.hub.url, cacheDir: fx.cacheDir, env: {} }).open('config.json')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('acme/nothing-here'),
    });
    await expect(fx.source({ revision: 'v9' }).open('config.json')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('"v9"') });
  });

  it('reads HF_ENDPOINT, HF_HUB_CACHE/HF_HOME and HF_TOKEN from the environment; the token never reaches the CDN', async () => {
    await fx.close();
    fx = await hubFixture({ requireToken: 'hf_secret' });
    const env = { HF_ENDPOINT: fx.hub.url, HF_HOME: join(fx.root, 'home'), HF_TOKEN: 'hf_secret' };
    const src = hubSource(REPO, { env, retry: { retries: 0 } });
    expect(src.settings).toMatchObject({ endpoint: fx.hub.url, cacheDir: join(fx.root, 'home', 'hub'), token: 'hf_secret', offline: false });
    await src.open('model.safetensors');
    const seen = fx.takeRequests();
    expect(seen.filter((r) => !r.cdn).every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
    expect(seen.filter((r) => r.cdn).length).toBeGreaterThan(0);
    expect(seen.filter((r) => r.cdn).every((r) => r.authorization === undefined)).toBe(true);
    expect(hubSource(REPO, { env: { ...env, HF_HUB_CACHE: '/x/y' } }).settings.cacheDir).toBe('/x/y');
    await expect(hubSource(REPO, { env, token: false, cacheDir: join(fx.root, 'other'), retry: { retries: 0 } }).open('config.json')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('HF_TOKEN'),
    });
  });

  it('deduplicates concurrent opens of one file into one download', async () => {
    const src = fx.source();
    const [a, b] = await Promise.all([src.open('model.safetensors'), src.open('model.safetensors')]);
    expect(a.localPath).toBe(b.localPath);
    expect(fx.takeRequests().filter((r) => r.cdn && r.method === 'GET').length).toBe(1);
  });

  it('serves golden checkpoints under their real repo ids', async () => {
    const dir = '/work/shared/golden/maskgen_vq';
    if (!existsSync(dir)) return;
    await fx.close();
    fx = await hubFixture({
      repos: { 'turkeyju/generator_maskgen_vq_l': { dir, files: { 'model.safetensors': 'weights.safetensors', 'config.json': 'config.json' } } },
    });
    const src = hubSource('turkeyju/generator_maskgen_vq_l', { endpoint: fx.hub.url, cacheDir: fx.cacheDir, env: {} });
    const config = (await readJson(src, 'config.json')) as { model?: unknown };
    expect(config.model).toBeDefined();
    const st = await SafetensorsFile.open(await src.open('model.safetensors'));
    expect(st.tensors.size).toBeGreaterThan(10);
  });
});
