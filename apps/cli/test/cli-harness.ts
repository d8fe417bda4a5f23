import { goldenRepos, startMockHub } from '@maskgen/mock-hub';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { GOLDEN_DIR as GOLDEN } from '../../../tooling/golden/src/case-folder.js';

/** The shared golden folder (the golden runner's reader decides where it is). */
export { GOLDEN };

export const CLI = resolve(__dirname, '..', 'dist', 'main.js');

/** A mock hub serving the golden checkpoints under the released ids, and a fresh HF cache per test file. */
export function useCliEnv() {
  const s = {} as { hub: Awaited<ReturnType<typeof startMockHub>>; env: NodeJS.ProcessEnv; work: string };
  beforeAll(async () => {
    s.hub = await startMockHub({ repos: goldenRepos(GOLDEN) });
    s.work = mkdtempSync(join(tmpdir(), 'maskgen-cli-'));
    s.env = { ...process.env, HF_ENDPOINT: s.hub.url, HF_HOME: join(s.work, 'hf'), HF_HUB_OFFLINE: '' };
  });
  afterAll(() => s.hub.close());
  return {
    get work() {
      return s.work;
    },
    get hub() {
      return s.hub;
    },
    /** Runs the CLI to completion (asynchronously: the mock hub lives in this process's event loop). */
    run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
      return new Promise((done) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: s.work, env: { ...s.env, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => done({ status, stdout, stderr }));
      });
    },
    /** Starts the CLI without waiting, for cancellation tests. */
    start(args: string[], env: NodeJS.ProcessEnv = {}) {
      return spawn(process.execPath, [CLI, ...args], { cwd: s.work, env: { ...s.env, ...env } });
    },
  };
}
