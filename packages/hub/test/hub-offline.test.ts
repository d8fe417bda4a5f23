import { readJson } from '@maskgen/core';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderSource, hubSource } from '../src/node/index.js';
import { type HubFixture, REPO, hubFixture, readAll, sameBytes, sha256 } from './hub-fixtures.js';

describe('hub source: offline mode, Python caches, hostile names', () => {
  let fx: HubFixture;
  beforeEach(async () => {
    fx = await hubFixture();
  });
  afterEach(() => fx.close());

  it('works offline from a filled cache (HF_HUB_OFFLINE=1) and says OFFLINE for what is missing', async () => {
    await fx.source().download('config.json');
    fx.takeRequests();
    const offline = hubSource(REPO, { endpoint: fx.hub.url, cacheDir: fx.cacheDir, env: { HF_HUB_OFFLINE: '1' } });
    expect(offline.settings.offline).toBe(true);
    expect(await readJson(offline, 'config.json')).toEqual({ model: { width: 64 } });
    await expect(offline.open('model.safetensors')).rejects.toMatchObject({
      code: 'OFFLINE',
      message: expect.stringMatching(/model\.safetensors.*HF_HUB_OFFLINE.*local folder instead/),
    });
    expect(await offline.exists('model.safetensors')).toBe(false);
    await expect(hubSource('acme/never-seen', { cacheDir: fx.cacheDir, offline: true, env: {} }).open('config.json')).rejects.toMatchObject({
      code: 'OFFLINE',
    });
    expect(fx.takeRequests()).toEqual([]);
  });

  it('reuses a cache written by Python huggingface_hub (same layout, hand-built here) without requests', async () => {
    const commit = 'a'.repeat(40);
    const storage = join(fx.cacheDir, 'models--acme--tiny-model');
    const weights = fx.files['model.safetensors'];
    const blob = sha256(weights);
    await mkdir(join(storage, 'blobs'), { recursive: true });
    await mkdir(join(storage, 'refs'), { recursive: true });
    await mkdir(join(storage, 'snapshots', commit), { recursive: true });
    await writeFile(join(storage, 'blobs', blob), weights);
    await writeFile(join(storage, 'refs', 'main'), commit);
    await symlink(`../../blobs/${blob}`, join(storage, 'snapshots', commit, 'model.safetensors'));
    const h = await fx.source().open('model.safetensors');
    expect(h.localPath).toBe(join(storage, 'snapshots', commit, 'model.safetensors'));
    expect(sameBytes(await readAll(h), weights)).toBe(true);
    expect(fx.takeRequests()).toEqual([]);
    // A snapshot folder is also a plain local folder.
    expect(sameBytes(await readAll(await folderSource(join(storage, 'snapshots', commit)).open('model.safetensors')), weights)).toBe(true);
  });

  it('with refresh: asks the hub for the current commit, and falls back to the cache when it is unreachable', async () => {
    await fx.source().download('config.json');
    fx.takeRequests();
    await fx.source({ refresh: true }).open('config.json');
    expect(fx.takeRequests().map((r) => r.method)).toEqual(['HEAD']);
    const url = fx.hub.url;
    await fx.hub.close();
    const h = await fx.source({ refresh: true, endpoint: url, retry: { retries: 0 } }).open('config.json');
    expect(JSON.parse(new TextDecoder().decode(await readAll(h)))).toEqual({ model: { width: 64 } });
  });

  it('rejects path traversal and malformed names in repo ids, files and revisions before any request', async () => {
    const badRepos = ['../etc', 'acme/../../x', 'acme', 'a/b/c', '/abs/olute', 'acme/na me', 'acme\\evil', 'acme/x--y', 'acme/.hidden', '', 'acme/name/'];
    for (const id of badRepos) {
      expect(() => hubSource(id, { cacheDir: fx.cacheDir, env: {} }), id).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('repoId') }),
      );
    }
    const src = fx.source();
    const badFiles = ['../config.json', 'sub/../../x', '/etc/passwd', 'a\\b', 'C:x', 'a//b', './config.json', 'sub/', '', 'x\u0000y'];
    for (const f of badFiles) {
      await expect(src.open(f), f).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('file') });
      await expect(src.exists(f), f).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    for (const rev of ['../main', 'main/..', 'a b', '']) {
      expect(() => fx.source({ revision: rev }), rev).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('revision') }),
      );
    }
    expect(() => fx.source({ endpoint: 'file:///etc' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(fx.takeRequests()).toEqual([]);
  });

  it('never follows a hostile ref or ETag out of the cache folder', async () => {
    const storage = join(fx.cacheDir, 'models--acme--tiny-model');
    await mkdir(join(storage, 'refs'), { recursive: true });
    await writeFile(join(storage, 'refs', 'main'), '../../../../etc');
    const h = await fx.source().open('config.json');
    expect(h.localPath!.startsWith(join(storage, 'snapshots'))).toBe(true);
    expect(await readFile(join(storage, 'refs', 'main'), 'utf8')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('folderSource: reads files of a local folder and refuses to leave it', async () => {
    const dir = join(fx.root, 'repos', REPO);
    const src = folderSource(dir);
    expect(await readJson(src, 'config.json')).toEqual({ model: { width: 64 } });
    expect(await src.exists('sub/notes.txt')).toBe(true);
    expect(await src.exists('nope.json')).toBe(false);
    await expect(src.open('nope.json')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(src.open('../../secret')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await src.open('model.safetensors')).localPath).toBe(join(dir, 'model.safetensors'));
  });
});
