import { readJson } from '@maskgen/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubSources } from '../src/node/index.js';
import { type HubFixture, REPO, hubFixture } from './hub-fixtures.js';

describe('hubSources: the pipeline source for Node in one call', () => {
  let fx: HubFixture;
  beforeEach(async () => {
    fx = await hubFixture();
  });
  afterEach(() => fx.close());

  it('serves hub repos through the disk cache, local folders for the ids mapped to them, and per-repo revisions', async () => {
    const local = join(fx.cacheDir, '..', 'local-repo');
    await mkdir(local, { recursive: true });
    await writeFile(join(local, 'config.json'), '{"local":true}');
    const resolve = hubSources({ endpoint: fx.hub.url, cacheDir: fx.cacheDir, env: {}, folders: { 'acme/local': local }, revisions: { 'acme/pinned': 'v1' } });
    expect(await readJson(resolve(REPO), 'config.json')).toEqual({ model: { width: 64 } });
    expect(fx.takeRequests().length).toBeGreaterThan(0);
    expect(await readJson(resolve('acme/local'), 'config.json')).toEqual({ local: true });
    expect(resolve('acme/local').id).toBe('acme/local');
    expect(resolve('acme/pinned').id).toBe('acme/pinned@v1');
    expect(fx.takeRequests()).toEqual([]);
    expect(() => resolve('../escape')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
