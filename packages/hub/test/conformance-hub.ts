import { type MockHub, startMockHub } from '@maskgen/mock-hub';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CONFORMANCE_REPO, type HubControl, type InjectedFault, conformanceFiles } from '../src/testing/index.js';

/** Writes the conformance repo into `dir` (as `owner/name/…` when `nested`, else flat). */
export async function writeConformanceRepo(dir: string, nested: boolean): Promise<string> {
  const base = nested ? join(dir, CONFORMANCE_REPO) : dir;
  for (const [file, bytes] of Object.entries(conformanceFiles())) {
    await mkdir(dirname(join(base, file)), { recursive: true });
    await writeFile(join(base, file), bytes);
  }
  return base;
}

/** Turns a suite fault into the mock hub's rule (a CDN-only flag becomes a path pattern). */
export function toRule(rule: InjectedFault) {
  const { cdnOnly, fault, ...rest } = rule;
  return { ...rest, fault: fault as never, ...(cdnOnly ? { path: /^\/cdn\// } : {}) };
}

/** A mock hub serving the conformance repo, with the control the suite needs. */
export async function startConformanceHub(): Promise<{ hub: MockHub; control: HubControl; root: string; close(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'source-conformance-'));
  await writeConformanceRepo(join(root, 'served'), true);
  const hub = await startMockHub({ root: join(root, 'served'), lfsThreshold: 100_000 });
  let since = 0;
  const control: HubControl = {
    url: hub.url,
    commitOf: async (repo) => hub.commitOf(repo),
    setFault: async (rule) => hub.setFault(toRule(rule)),
    clearFaults: async () => hub.clearFaults(),
    requests: async () => hub.requests.slice(since).filter((r) => r.method !== 'OPTIONS'),
    resetRequests: async () => {
      since = hub.requests.length;
    },
  };
  return {
    hub,
    control,
    root,
    close: async () => {
      await hub.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
