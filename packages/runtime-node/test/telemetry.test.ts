import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ortLogSeverity } from '../src/telemetry-off.js';

/**
 * ORT's telemetry also stays off when any of these CI markers is set (the names are strings in
 * libonnxruntime.so 1.30), so CI would hide the positive check; the child gets none of them.
 */
const CI_MARKERS = [
  'CI',
  'TF_BUILD',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'CODEBUILD_BUILD_ID',
  'BUILDKITE',
  'TEAMCITY_VERSION',
  'APPVEYOR',
  'BITBUCKET_BUILD_NUMBER',
];

/** Runs one Identity session in a child process with a fresh HOME and TMPDIR, and lists what it left there. */
function filesAfterOneSession(env: Record<string, string>): string[] {
  const home = mkdtempSync(join(tmpdir(), 'maskgen-telemetry-'));
  const script = `
    const { GraphBuilder, tensor } = await import('@maskgen/core');
    const { nodeRuntime } = await import('@maskgen/runtime-node');
    const g = new GraphBuilder('id');
    g.output(g.op1('Identity', [g.input('x', 'float32', [1])]), 'y', 'float32');
    const s = await nodeRuntime({ threads: 1 }).createSession(g.build());
    await s.run({ x: tensor('float32', [1], [1]) });
    await s.dispose();`;
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'ORT_DISABLE_TELEMETRY' && k !== 'MASKGEN_ORT_TELEMETRY' && !CI_MARKERS.includes(k)),
  );
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(__dirname, '..'),
    env: { ...base, HOME: home, TMPDIR: home, ...env },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return readdirSync(home, { recursive: true, encoding: 'utf8' }).filter((f) => /onnxruntime|mat-debug|DeveloperTools/.test(f));
}

describe('onnxruntime telemetry', () => {
  it('is off by default: no onnxruntime.db under ~/.cache and no mat-debug log in TMPDIR', () => {
    expect(filesAfterOneSession({})).toEqual([]);
  });
  it('comes back with MASKGEN_ORT_TELEMETRY=1 (proof the check can see it)', () => {
    expect(filesAfterOneSession({ MASKGEN_ORT_TELEMETRY: '1' }).some((f) => f.endsWith('onnxruntime.db'))).toBe(true);
  });
  it('ORT log lines are fatal-only by default; MASKGEN_ORT_LOG=0…4 turns them back on', () => {
    expect([
      ortLogSeverity({}),
      ortLogSeverity({ MASKGEN_ORT_LOG: '0' }),
      ortLogSeverity({ MASKGEN_ORT_LOG: '2' }),
      ortLogSeverity({ MASKGEN_ORT_LOG: 'loud' }),
    ]).toEqual([4, 0, 2, 4]);
  });
});
