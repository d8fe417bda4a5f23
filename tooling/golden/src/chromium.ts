import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

/** Debian's Chromium (CI installs it with apt-get); override with $CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium kept off the network (no updates, sync, QUIC or first-run fetches), with WebGPU
 * enabled: without a GPU, `--enable-unsafe-webgpu` (and no `--disable-gpu`) exposes SwiftShader's
 * fallback adapter, which is right for correctness and meaningless for speed.
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

/** A browser page with a fresh profile (removed on close) and its console, for failure messages. */
export interface WebGpuBrowser {
  context: BrowserContext;
  page: Page;
  logs: string[];
  /** The fresh profile folder (`--user-data-dir`), which names this browser's processes. */
  profile: string;
  close(): Promise<void>;
}

/**
 * Launches the system Chromium with WebGPU; a missing browser is an error naming the install command.
 * The golden runner and the demo's e2e test both start their browser here (the demo by relative path).
 */
export async function launchWebGpuChromium(o: { viewport?: { width: number; height: number } } = {}): Promise<WebGpuBrowser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH`);
  const profile = await mkdtemp(join(tmpdir(), 'maskgen-chromium-'));
  // launchPersistentContext passes the profile as --user-data-dir (plain launch() forbids that flag).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    ...(o.viewport ? { viewport: o.viewport } : {}),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  return {
    context,
    page,
    logs,
    profile,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
