import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const PACKAGES = ['core', 'image', 'clip-text', 'tatitok', 'sampler', 'pipeline', 'runtime-node', 'runtime-web'];
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

describe('publishable packages are publint- and attw-clean', () => {
  for (const p of PACKAGES) {
    it(`@maskgen/${p}`, () => {
      const cwd = join(ROOT, 'packages', p);
      const publint = spawnSync(bin('publint'), ['--strict'], { cwd, encoding: 'utf8' });
      expect(publint.status, publint.stdout + publint.stderr).toBe(0);
      expect(publint.stdout).toMatch(/All good!/);
      const attw = spawnSync(bin('attw'), ['--pack', '.', '--profile', 'esm-only', '--format', 'ascii'], { cwd, encoding: 'utf8' });
      expect(attw.status, attw.stdout + attw.stderr).toBe(0);
    }, 60_000);
  }

  it('changesets: status works and the runtimes are one fixed group', () => {
    const r = spawnSync(bin('changeset'), ['status'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/@maskgen\/runtime-node/);
  }, 60_000);
});
