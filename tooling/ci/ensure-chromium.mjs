#!/usr/bin/env node
// First step of `pnpm test`: the demo's browser test needs Debian's Chromium. When it is missing and we
// run as root on a Debian/Ubuntu machine, install it with apt-get (what CI does); otherwise stop at once
// with the exact command, instead of failing minutes later inside the demo test.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium';
if (existsSync(path)) process.exit(0);
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (process.env.CHROMIUM_PATH || !hasApt || !root || process.env.MASKGEN_NO_APT) {
  const how = process.env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${path} does not exist: point it at a Chromium binary`
    : hasApt
      ? `run as root: ${INSTALL}\n  (or: sudo sh -c '${INSTALL}'), or set CHROMIUM_PATH to a Chromium binary`
      : `install Chromium and set CHROMIUM_PATH to its binary (Debian: ${INSTALL})`;
  process.stderr.write(`pnpm test: Chromium is needed for the demo's browser test and was not found at ${path}.\n  ${how}\n`);
  process.exit(1);
}
process.stderr.write(`pnpm test: Chromium not found at ${path}; installing Debian's chromium with apt-get…\n`);
try {
  execFileSync('sh', ['-c', INSTALL], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
} catch {
  process.stderr.write(`pnpm test: installing Chromium failed; run it yourself: ${INSTALL}\n`);
  process.exit(1);
}
if (!existsSync(path)) {
  process.stderr.write(`pnpm test: apt-get installed chromium but ${path} is still missing; set CHROMIUM_PATH\n`);
  process.exit(1);
}
