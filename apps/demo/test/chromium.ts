import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

/** Debian's Chromium (CI installs it with `apt-get install -y chromium`); override with $CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags that keep Chromium off the network (no updates, sync, QUIC or first-run fetches: the test
 * machine is offline and would otherwise flood it) and run it headless without a sandbox. WebGPU is
 * on (`--enable-unsafe-webgpu`, no `--disable-gpu`): without a GPU that is SwiftShader's fallback adapter.
 */
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser with a fresh profile, removed on close. */
export interface BrowserHandle {
  context: BrowserContext;
  page: Page;
  /** Console lines and page errors (page and workers), for failure messages. */
  logs: string[];
  /** Every URL the page and its workers requested. */
  requests: string[];
  /** Throws `what` with the last browser console lines appended. */
  fail(what: string): never;
  /** A page call with a deadline: ORT hangs rather than throws when e.g. a thread fails to start. */
  within<T>(ms: number, what: string, p: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Launches the system Chromium. A missing browser is a failure with the install command, never a
 * skip: the e2e test is the only check that the demo works in a real browser.
 */
export async function launchChromium(): Promise<BrowserHandle> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'maskgen-demo-chromium-'));
  // launchPersistentContext passes the profile as --user-data-dir (plain launch() forbids that flag).
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: ARGS, viewport: { width: 1100, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('worker', (w) => w.on('console', (m) => logs.push(`[worker ${m.type()}] ${m.text()}`)));
  const fail = (what: string): never => {
    throw new Error(`${what}\n--- browser console ---\n${logs.slice(-30).join('\n')}`);
  };
  return {
    context,
    page,
    logs,
    requests,
    fail,
    within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
      });
      return Promise.race([p, deadline])
        .catch((e: Error) => fail(e.message))
        .finally(() => clearTimeout(timer));
    },
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
