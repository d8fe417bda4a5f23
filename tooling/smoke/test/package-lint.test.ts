import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const PACKAGES = ['core', 'hub', 'image', 'clip-text', 'tatitok', 'sampler', 'pipeline', 'runtime-node', 'runtime-web', 'server', 'queue'];
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const changesetConfig = (): { fixed: string[][]; ignore: string[] } => JSON.parse(readFileSync(join(ROOT, '.changeset/config.json'), 'utf8'));

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

  // Workspace tools resolve `source` to src/ (docs/architecture.md); tarballs hold only dist/, so the published
  // exports map is publishConfig.exports: the same map without `source`, substituted by pnpm pack/publish.
  it('exports start with a `source` condition on an existing file, and the packed package.json has none', () => {
    const withoutSource = (exports: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(exports).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : Object.fromEntries(Object.entries(v as object).filter(([c]) => c !== 'source')),
        ]),
      );
    const dest = mkdtempSync(join(tmpdir(), 'maskgen-pack-'));
    try {
      for (const p of PACKAGES) {
        const cwd = join(ROOT, 'packages', p);
        const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
        for (const [key, entry] of Object.entries(pkg.exports as Record<string, unknown>)) {
          if (typeof entry === 'string') continue;
          const conditions = entry as Record<string, string>;
          expect(Object.keys(conditions)[0], `${p} ${key}`).toBe('source');
          expect(existsSync(join(cwd, conditions.source)), `${p} ${key} -> ${conditions.source}`).toBe(true);
        }
        expect(pkg.publishConfig.exports, p).toEqual(withoutSource(pkg.exports));
        const out = join(dest, p);
        execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd, stdio: 'pipe' });
        const tgz = join(out, readdirSync(out)[0]!);
        const packed = JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
        expect(JSON.stringify(packed.exports), p).not.toMatch(/"source"/);
        expect(packed.exports, p).toEqual(pkg.publishConfig.exports);
      }
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  }, 120_000);

  it('@maskgen/cli (a bin, no library exports): publint-clean, public, versioned by changesets', () => {
    const cwd = join(ROOT, 'apps', 'cli');
    const publint = spawnSync(bin('publint'), ['--strict'], { cwd, encoding: 'utf8' });
    expect(publint.status, publint.stdout + publint.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(pkg.publishConfig).toEqual({ access: 'public' });
    expect(pkg.bin.maskgen).toBe('./dist/main.js');
    expect(readFileSync(join(cwd, 'dist/main.js'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    // Changesets versions every public workspace package it does not ignore: whether or not a changeset is pending.
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(changesetConfig().ignore).not.toContain('@maskgen/cli');
  }, 60_000);

  it('engines: every publishable package needs Node >= 20.19 (require(esm))', () => {
    for (const dir of [...PACKAGES.map((p) => join(ROOT, 'packages', p)), join(ROOT, 'apps', 'cli')]) {
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).engines, dir).toEqual({ node: '>=20.19' });
    }
  });

  // Read from the config, not `changeset status`, whose output depends on changesets being pending (none after a release).
  it('changesets: only private packages are ignored, every public one is versioned, the runtimes are one fixed group', () => {
    const config = changesetConfig();
    expect(config.fixed).toContainEqual(['@maskgen/runtime-node', '@maskgen/runtime-web']);
    const publicDirs = [...PACKAGES.map((p) => join(ROOT, 'packages', p)), join(ROOT, 'apps', 'cli')];
    for (const dir of publicDirs) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      expect(pkg.private, dir).toBeUndefined();
      expect(config.ignore, dir).not.toContain(pkg.name);
    }
    const workspace = ['packages', 'apps', 'tooling'].flatMap((d) => readdirSync(join(ROOT, d)).map((p) => join(ROOT, d, p)));
    const names = new Map(
      workspace.filter((d) => existsSync(join(d, 'package.json'))).map((d) => [JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name, d]),
    );
    for (const ignored of config.ignore) {
      expect(names.has(ignored), `${ignored} is a workspace package`).toBe(true);
      expect(JSON.parse(readFileSync(join(names.get(ignored)!, 'package.json'), 'utf8')).private, ignored).toBe(true);
    }
  });
});

describe('pnpm test on a fresh machine', () => {
  const script = join(ROOT, 'tooling/ci/ensure-system-tools.mjs');
  const run = (env: Record<string, string>) => spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, ...env } });
  it('passes when Chromium and redis-server are there, and stops at once with the exact fix when one is not', () => {
    const ok = run({ CHROMIUM_PATH: process.execPath, MASKGEN_REDIS_SERVER: process.execPath });
    expect(ok.status, ok.stderr).toBe(0);
    const noBrowser = run({ CHROMIUM_PATH: '/nonexistent/chromium', MASKGEN_REDIS_SERVER: process.execPath });
    expect(noBrowser.status).toBe(1);
    expect(noBrowser.stderr).toMatch(/Chromium is needed for the demo's browser tests and was not found at \/nonexistent\/chromium/);
    const noRedis = run({ CHROMIUM_PATH: process.execPath, MASKGEN_REDIS_SERVER: '/nonexistent/redis-server' });
    expect(noRedis.status).toBe(1);
    expect(noRedis.stderr).toMatch(
      /redis-server is needed for the queue tests and was not found at \/nonexistent\/redis-server[^]*MASKGEN_REDIS_SERVER=\/nonexistent\/redis-server does not exist/,
    );
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.test).toMatch(/^node tooling\/ci\/ensure-system-tools\.mjs && /);
  });

  it('the messages: the apt-get command for a non-root user, MASKGEN_NO_APT stops even as root, root installs', async () => {
    type Plan = { missing: unknown[]; stop?: string; install?: string; notice?: string };
    type Facts = { env: Record<string, string | undefined>; exists: (p: string) => boolean; hasApt: boolean; root: boolean };
    const { systemToolsPlan } = (await import(script)) as { systemToolsPlan: (f: Facts) => Plan };
    const noChromium = (p: string) => p !== '/usr/bin/chromium';
    const apt = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium';
    const user = systemToolsPlan({ env: {}, exists: noChromium, hasApt: true, root: false });
    expect(user.install).toBeUndefined();
    expect(user.stop).toBe(
      "pnpm test: Chromium is needed for the demo's browser tests and was not found at /usr/bin/chromium.\n" +
        `  run as root: ${apt}\n  (or: sudo sh -c '${apt}'), or set CHROMIUM_PATH to the binary\n`,
    );
    const noApt = systemToolsPlan({ env: { MASKGEN_NO_APT: '1' }, exists: () => false, hasApt: true, root: true });
    expect(noApt.install).toBeUndefined();
    expect(noApt.stop).toContain(`  run: ${apt} redis-server\n  (MASKGEN_NO_APT is set, so pnpm test does not)`);
    expect(noApt.stop).toContain('redis-server is needed for the queue tests and was not found at /usr/bin/redis-server.');
    const asRoot = systemToolsPlan({ env: {}, exists: noChromium, hasApt: true, root: true });
    expect(asRoot).toMatchObject({ install: apt, notice: 'pnpm test: Chromium not found at /usr/bin/chromium; installing with apt-get…\n' });
    expect(asRoot.stop).toBeUndefined();
    const noAptGet = systemToolsPlan({ env: {}, exists: noChromium, hasApt: false, root: true });
    expect(noAptGet.stop).toContain(`install Chromium and set CHROMIUM_PATH (Debian: ${apt})`);
    expect(systemToolsPlan({ env: {}, exists: () => true, hasApt: false, root: false })).toEqual({ missing: [] });
  });
});

describe('formatting', () => {
  it('the tree is formatted as biome.json says (pnpm format fixes it; pnpm lint checks it)', () => {
    const r = spawnSync(bin('biome'), ['format', '.'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, `${r.stdout}${r.stderr}`.slice(0, 4000)).toBe(0);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.lint).toMatch(/^biome format \. && /);
  });
});
