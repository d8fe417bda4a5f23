import { memoryFile, memorySource } from '@maskgen/core';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type FileStore, browserSource, memoryStore } from '../src/index.js';
import { diskStore, folderSource, folderStore, hubSource } from '../src/node/index.js';
import { CONFORMANCE_REPO, type HubControl, type SourceUnderTest, conformanceFiles, sourceConformance } from '../src/testing/index.js';
import { startConformanceHub, writeConformanceRepo } from './conformance-hub.js';
import { FakeCacheStorage, FakeDirectory } from './fake-storage.js';

const retry = { retries: 3, baseDelayMs: 5, maxDelayMs: 2_000 };
let hub: Awaited<ReturnType<typeof startConformanceHub>>;
let work: string;
let fresh = 0;

beforeAll(async () => {
  hub = await startConformanceHub();
  work = await mkdtemp(join(tmpdir(), 'source-subjects-'));
});
afterAll(async () => {
  await hub?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A fresh, empty folder per reset, so one subject's sources share a cache until the suite empties it. */
function nodeDiskCache(): SourceUnderTest {
  let dir = '';
  let n = 0;
  return {
    name: 'node disk cache (Python layout)',
    kind: 'hub',
    seesRedirects: true,
    async reset() {
      dir = join(work, `disk-${n++}`);
      await mkdir(dir, { recursive: true });
    },
    make: (repoId, o = {}) =>
      hubSource(repoId, {
        endpoint: hub.control.url,
        cacheDir: dir,
        env: {},
        token: o.token ?? false,
        offline: o.offline,
        revision: o.revision,
        retry,
        timeouts: { stallMs: 300, metadataMs: 5_000 },
        rangeBlockSize: 64 * 1024,
      }),
  };
}

function browserSubject(name: string, store: () => FileStore): SourceUnderTest {
  let current: FileStore | undefined;
  return {
    name,
    kind: 'hub',
    async reset() {
      current = store();
    },
    make: (repoId, o = {}) =>
      browserSource(repoId, {
        endpoint: hub.control.url,
        store: (current ??= store()),
        offline: o.offline,
        revision: o.revision,
        token: o.token,
        retry,
        stallMs: 300,
        rangeBlockSize: 64 * 1024,
        onWarning: () => {},
      }),
  };
}

const subjects: (() => SourceUnderTest)[] = [
  nodeDiskCache,
  () => browserSubject('memory (browserSource)', () => memoryStore()),
  // Every FileStore serves the same shared source code: the disk cache and a plain folder too.
  () => browserSubject('disk cache store (Python layout) under browserSource', () => diskStore(join(work, `store-disk-${fresh++}`))),
  () => browserSubject('folder store under browserSource', () => folderStore(join(work, `store-folder-${fresh++}`), { id: CONFORMANCE_REPO })),
  () => browserSubject('Cache Storage (browserSource, in-memory fake of the API)', () => storeOf('cache-storage')),
  () => browserSubject('OPFS (browserSource, in-memory fake of the API)', () => storeOf('opfs')),
  () => ({
    name: 'folder (folderSource)',
    kind: 'local',
    reset: async () => {},
    make: () => folderSource(join(work, 'folder'), { id: CONFORMANCE_REPO }),
  }),
  () => ({
    name: 'memory (core memorySource)',
    kind: 'local',
    reset: async () => {},
    make: () => memorySource(CONFORMANCE_REPO, Object.fromEntries(Object.entries(conformanceFiles()).map(([f, b]) => [f, memoryFile(b, f)]))),
  }),
];

import { cacheStorageStore, opfsStore } from '../src/index.js';
function storeOf(kind: 'cache-storage' | 'opfs'): FileStore {
  return kind === 'cache-storage' ? cacheStorageStore(new FakeCacheStorage().asCacheStorage()) : opfsStore(new FakeDirectory().root());
}

for (const make of subjects) {
  const subject = make();
  describe(`sourceConformance: ${subject.name}`, () => {
    beforeAll(async () => {
      if (subject.kind === 'local') await writeConformanceRepo(join(work, 'folder'), false);
      await subject.reset();
      await hub.control.clearFaults();
    });
    for (const c of sourceConformance()) {
      if (c.hubOnly && subject.kind !== 'hub') continue;
      it(c.name, () => c.run(subject, hub.control as HubControl), 30_000);
    }
  });
}
