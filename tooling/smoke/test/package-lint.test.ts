import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const PACKAGES = ['core', 'hub', 'image', 'clip-text', 'tatitok', 'sampler', 'pipeline', 'runtime-node', 'runtime-web', 'server', 'queue'];
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

  it('@maskgen/cli (a bin, no library exports): publint-clean, public, versioned by changesets', () => {
    const cwd = join(ROOT, 'apps', 'cli');
    const publint = spawnSync(bin('publint'), ['--strict'], { cwd, encoding: 'utf8' });
    expect(publint.status, publint.stdout + publint.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(pkg.publishConfig).toEqual({ access: 'public' });
    expect(pkg.bin.maskgen).toBe('./dist/main.js');
    expect(readFileSync(join(cwd, 'dist/main.js'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    const status = spawnSync(bin('changeset'), ['status', '--verbose'], { cwd: ROOT, encoding: 'utf8' });
    expect(status.stdout + status.stderr).toMatch(/@maskgen\/cli/);
  }, 60_000);

  it('engines: every publishable package needs Node >= 20.19 (require(esm))', () => {
    for (const dir of [...PACKAGES.map((p) => join(ROOT, 'packages', p)), join(ROOT, 'apps', 'cli')]) {
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).engines, dir).toEqual({ node: '>=20.19' });
    }
  });

  it('changesets: status works and the runtimes are one fixed group', () => {
    const r = spawnSync(bin('changeset'), ['status'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/@maskgen\/runtime-node/);
  }, 60_000);
});

describe('pnpm test on a fresh machine', () => {
  const script = join(ROOT, 'tooling/ci/ensure-chromium.mjs');
  it('passes when Chromium is there, and stops at once with the exact fix when it is not', () => {
    const ok = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, CHROMIUM_PATH: process.execPath } });
    expect(ok.status, ok.stderr).toBe(0);
    const missing = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' } });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/not found at \/nonexistent\/chromium/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.test).toMatch(/^node tooling\/ci\/ensure-chromium\.mjs && /);
  });
});
