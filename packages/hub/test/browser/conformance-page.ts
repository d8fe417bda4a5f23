import { type FileStore, browserSource, cacheStorageStore, opfsStore } from '../../src/index.js';
import { type HubControl, type InjectedFault, type SeenRequest, type SourceUnderTest, sourceConformance } from '../../src/testing/index.js';

/** Functions the Node test exposes to the page (playwright's exposeFunction), driving the mock hub. */
declare global {
  interface Window {
    __hubCommitOf(repo: string): Promise<string>;
    __hubSetFault(rule: InjectedFault): Promise<void>;
    __hubClearFaults(): Promise<void>;
    __hubRequests(): Promise<SeenRequest[]>;
    __hubResetRequests(): Promise<void>;
    runConformance(backend: 'cache-storage' | 'opfs', hubUrl: string): Promise<{ name: string; ok: boolean; error?: string }[]>;
  }
}

let fresh = 0;

/** A new, empty store of the real browser storage (its own Cache Storage bucket or OPFS folder). */
function realStore(backend: 'cache-storage' | 'opfs'): FileStore {
  const k = fresh++;
  if (backend === 'cache-storage') return cacheStorageStore(caches, `conformance-${k}`);
  return opfsStore(async () => (await navigator.storage.getDirectory()).getDirectoryHandle(`conformance-${k}`, { create: true }));
}

window.runConformance = async (backend, hubUrl) => {
  const hub: HubControl = {
    url: hubUrl,
    commitOf: (r) => window.__hubCommitOf(r),
    setFault: (r) => window.__hubSetFault(r),
    clearFaults: () => window.__hubClearFaults(),
    requests: () => window.__hubRequests(),
    resetRequests: () => window.__hubResetRequests(),
  };
  const warnings: string[] = [];
  let store = realStore(backend);
  const subject: SourceUnderTest = {
    name: backend,
    kind: 'hub',
    seesRedirects: false,
    async reset() {
      store = realStore(backend);
    },
    make: (repoId, o = {}) =>
      browserSource(repoId, {
        endpoint: hubUrl,
        store,
        offline: o.offline,
        revision: o.revision,
        token: o.token,
        retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 2_000 },
        stallMs: 300,
        rangeBlockSize: 64 * 1024,
        onWarning: (m) => warnings.push(m),
      }),
  };
  const results: { name: string; ok: boolean; error?: string }[] = [];
  for (const c of sourceConformance()) {
    try {
      await c.run(subject, hub);
      if (warnings.length) throw new Error(`the ${backend} store fell back to memory: ${warnings.join('; ')}`);
      results.push({ name: c.name, ok: true });
    } catch (e) {
      results.push({ name: c.name, ok: false, error: `${(e as Error)?.name}: ${(e as Error)?.message}` });
    }
    await hub.clearFaults();
  }
  return results;
};
