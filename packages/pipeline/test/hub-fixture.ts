import { goldenRepos, startMockHub } from '@maskgen/mock-hub';
import { hubSource } from '@maskgen/runtime-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { GOLDEN_DIR as GOLDEN } from '../../../tooling/golden/src/case-folder.js';

/** The shared golden folder (the golden runner's reader decides where it is). */
export { GOLDEN };


/**
 * Starts a mock hub serving the golden checkpoints under the released repo ids for the calling test
 * file, with a fresh cache; `source` is the resolver the pipeline takes.
 */
export function useGoldenHub() {
  const state = {} as { hub: Awaited<ReturnType<typeof startMockHub>>; cacheDir: string };
  beforeAll(async () => {
    state.hub = await startMockHub({ repos: goldenRepos(GOLDEN) });
    state.cacheDir = mkdtempSync(join(tmpdir(), 'maskgen-pipeline-cache-'));
  });
  afterAll(() => state.hub.close());
  return { source: (repoId: string) => hubSource(repoId, { endpoint: state.hub.url, cacheDir: state.cacheDir }) };
}
