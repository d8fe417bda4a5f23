import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_PATH, launchWebGpuChromium } from '../../../tooling/golden/src/chromium.js';

/** Debian's Chromium (CI installs it with `apt-get install -y chromium`); override with $CHROMIUM_PATH. */
export { CHROMIUM_PATH };

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
  const { context, page, logs, close } = await launchWebGpuChromium({ viewport: { width: 1100, height: 900 } });
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
    close,
  };
}
