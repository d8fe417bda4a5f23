import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceConformance } from '../src/testing/index.js';
import { startConformanceHub } from './conformance-hub.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Flags that keep Chromium off this closed network (GUIDE.md) and headless without a sandbox. */
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let hub: Awaited<ReturnType<typeof startConformanceHub>>;
let dir: string;
let profile: string;
let page: Server;
let origin: string;
let context: BrowserContext;
const logs: string[] = [];

it('has Chromium to drive (a missing browser fails this suite, never skips it)', () => {
  expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`).toBe(true);
});

describe('sourceConformance in Chromium: the real Cache Storage and OPFS', () => {
  beforeAll(async () => {
    hub = await startConformanceHub();
    dir = await mkdtemp(join(tmpdir(), 'hub-conformance-page-'));
    await build({
      entryPoints: [fileURLToPath(new URL('./browser/conformance-page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: join(dir, 'page.js'),
      logLevel: 'warning',
    });
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>hub conformance</title><script type="module" src="/page.js"></script>',
    );
    page = createServer(async (req, res) => {
      const file = req.url === '/page.js' ? 'page.js' : 'index.html';
      res.writeHead(200, { 'Content-Type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(await readFile(join(dir, file)));
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    profile = await mkdtemp(join(tmpdir(), 'hub-conformance-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    const p = context.pages()[0] ?? (await context.newPage());
    p.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
    p.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
    const c = hub.control;
    await p.exposeFunction('__hubCommitOf', (r: string) => c.commitOf(r));
    await p.exposeFunction('__hubSetFault', (r: Parameters<typeof c.setFault>[0]) => c.setFault(r));
    await p.exposeFunction('__hubClearFaults', () => c.clearFaults());
    await p.exposeFunction('__hubRequests', () => c.requests());
    await p.exposeFunction('__hubResetRequests', () => c.resetRequests());
    await p.goto(`${origin}/`);
    await p.waitForFunction(() => typeof window.runConformance === 'function');
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await new Promise((r) => page?.close(r));
    await hub?.close();
    for (const d of [dir, profile]) if (d) await rm(d, { recursive: true, force: true });
  });

  for (const backend of ['cache-storage', 'opfs'] as const) {
    it(`${backend}: every case of the suite passes in the page`, async () => {
      const p = context.pages()[0];
      const results = await p.evaluate(([b, url]) => window.runConformance(b, url), [backend, hub.control.url] as const);
      expect(results.map((r) => r.name)).toEqual(sourceConformance().map((c) => c.name));
      const failed = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error}`);
      expect(failed, logs.slice(-20).join('\n')).toEqual([]);
    }, 180_000);
  }
});
