#!/usr/bin/env node
// First step of `pnpm test`: the demo's browser tests need Debian's Chromium and the queue tests start
// Debian's redis-server. When one is missing and we run as root on a Debian/Ubuntu machine, install it
// with apt-get (what CI does); otherwise stop at once with the exact command, instead of failing minutes
// later inside a test. Each tool's path can be overridden (for a browser or server installed elsewhere).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TOOLS = [
  { name: 'Chromium', pkg: 'chromium', env: 'CHROMIUM_PATH', path: '/usr/bin/chromium', why: "the demo's browser tests" },
  { name: 'redis-server', pkg: 'redis-server', env: 'MASKGEN_REDIS_SERVER', path: '/usr/bin/redis-server', why: 'the queue tests' },
];
const missing = TOOLS.map((t) => ({ ...t, path: process.env[t.env] ?? t.path })).filter((t) => !existsSync(t.path));
if (missing.length === 0) process.exit(0);

const install = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.map((t) => t.pkg).join(' ')}`;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const overridden = missing.filter((t) => process.env[t.env]);
if (overridden.length || !hasApt || !root || process.env.MASKGEN_NO_APT) {
  for (const t of missing) process.stderr.write(`pnpm test: ${t.name} is needed for ${t.why} and was not found at ${t.path}.\n`);
  const how = overridden.length
    ? overridden.map((t) => `${t.env}=${t.path} does not exist: point it at the ${t.name} binary`).join('\n  ')
    : hasApt
      ? `run as root: ${install}\n  (or: sudo sh -c '${install}'), or set ${missing.map((t) => t.env).join(' / ')} to the binary`
      : `install ${missing.map((t) => t.name).join(' and ')} and set ${missing.map((t) => t.env).join(' / ')} (Debian: ${install})`;
  process.stderr.write(`  ${how}\n`);
  process.exit(1);
}
process.stderr.write(`pnpm test: ${missing.map((t) => `${t.name} not found at ${t.path}`).join('; ')}; installing with apt-get…\n`);
try {
  execFileSync('sh', ['-c', install], { stdio: 'inherit' });
} catch {
  process.stderr.write(`pnpm test: apt-get failed; run it yourself: ${install}\n`);
  process.exit(1);
}
const still = missing.filter((t) => !existsSync(t.path));
if (still.length) {
  process.stderr.write(`pnpm test: apt-get finished but ${still.map((t) => t.path).join(', ')} is still missing; set ${still.map((t) => t.env).join(' / ')}\n`);
  process.exit(1);
}
