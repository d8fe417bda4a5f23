#!/usr/bin/env node
// First step of `pnpm test`: the demo's browser tests need Debian's Chromium and the queue tests start
// Debian's redis-server. When one is missing and we run as root on a Debian/Ubuntu machine, install it
// with apt-get (what CI does); otherwise stop at once with the exact command, instead of failing minutes
// later inside a test. Each tool's path can be overridden (for a browser or server installed elsewhere).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TOOLS = [
  { name: 'Chromium', pkg: 'chromium', env: 'CHROMIUM_PATH', path: '/usr/bin/chromium', why: "the demo's browser tests" },
  { name: 'redis-server', pkg: 'redis-server', env: 'MASKGEN_REDIS_SERVER', path: '/usr/bin/redis-server', why: 'the queue tests' },
];

/**
 * Decides what to do from the machine's facts alone (pure, so every message is tested without apt-get or
 * root): `{ missing: [] }` when all is there; `{ stop }`, the text to print before exiting 1, when we
 * must not install (a path override, no apt-get, not root, or MASKGEN_NO_APT); else `{ install, notice }`.
 * @param {{ env: Record<string, string | undefined>, exists: (path: string) => boolean, hasApt: boolean, root: boolean }} facts
 * @returns {{ missing: { name: string, path: string, env: string }[], stop?: string, install?: string, notice?: string }}
 */
export function systemToolsPlan({ env, exists, hasApt, root }) {
  const missing = TOOLS.map((t) => ({ ...t, path: env[t.env] ?? t.path })).filter((t) => !exists(t.path));
  if (missing.length === 0) return { missing };
  const install = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.map((t) => t.pkg).join(' ')}`;
  const overridden = missing.filter((t) => env[t.env]);
  if (overridden.length || !hasApt || !root || env.MASKGEN_NO_APT) {
    const found = missing.map((t) => `pnpm test: ${t.name} is needed for ${t.why} and was not found at ${t.path}.\n`).join('');
    const vars = missing.map((t) => t.env).join(' / ');
    const how = overridden.length
      ? overridden.map((t) => `${t.env}=${t.path} does not exist: point it at the ${t.name} binary`).join('\n  ')
      : !hasApt
        ? `install ${missing.map((t) => t.name).join(' and ')} and set ${vars} (Debian: ${install})`
        : root
          ? `run: ${install}\n  (MASKGEN_NO_APT is set, so pnpm test does not), or set ${vars} to the binary`
          : `run as root: ${install}\n  (or: sudo sh -c '${install}'), or set ${vars} to the binary`;
    return { missing, stop: `${found}  ${how}\n` };
  }
  const notice = `pnpm test: ${missing.map((t) => `${t.name} not found at ${t.path}`).join('; ')}; installing with apt-get…\n`;
  return { missing, install, notice };
}

function main() {
  const plan = systemToolsPlan({
    env: process.env,
    exists: existsSync,
    hasApt: spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0,
    root: typeof process.getuid === 'function' && process.getuid() === 0,
  });
  if (plan.missing.length === 0) return;
  if (plan.stop !== undefined || plan.install === undefined) {
    process.stderr.write(plan.stop ?? '');
    process.exit(1);
  }
  process.stderr.write(plan.notice ?? '');
  try {
    execFileSync('sh', ['-c', plan.install], { stdio: 'inherit' });
  } catch {
    process.stderr.write(`pnpm test: apt-get failed; run it yourself: ${plan.install}\n`);
    process.exit(1);
  }
  const still = plan.missing.filter((t) => !existsSync(t.path));
  if (still.length) {
    process.stderr.write(
      `pnpm test: apt-get finished but ${still.map((t) => t.path).join(', ')} is still missing; set ${still.map((t) => t.env).join(' / ')}\n`,
    );
    process.exit(1);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
