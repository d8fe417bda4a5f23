import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WebDeviceRequest } from '@maskgen/runtime-web';
import type { Int8Comparison } from './browser/int8-check.js';
import type { GoldenPage } from './browser/page.js';
import { launchWebGpuChromium, type WebGpuBrowser } from './chromium.js';
import { startPageServer } from './page-server.js';
import { failAll } from './run-case.js';
import type { CallResult } from './types.js';

/** Runs case folders somewhere and reports one result per call. */
export interface CaseDriver {
  /** One line saying what runs the cases (device, adapter), printed before them. */
  describe: string;
  runCase(dir: string, label: string): Promise<CallResult[]>;
  close(): Promise<void>;
}

/** Per-case deadline in the browser ($GOLDEN_CASE_TIMEOUT_S): a hung WebGPU queue fails the case, not the run. */
const CASE_TIMEOUT_MS = Number(process.env.GOLDEN_CASE_TIMEOUT_S ?? 1200) * 1000;

declare const golden: GoldenPage;

/** Case kinds whose model also runs int8 (the form the device runs) in the page, next to WASM int8. */
const INT8_CASES = ['tatitok_vq', 'tatitok_vae', 'maskgen_vq'];

async function caseKind(dir: string): Promise<string> {
  return String(JSON.parse(await readFile(join(dir, 'case.json'), 'utf8')).case ?? '');
}

/**
 * The goldens are float32, so an int8 output cannot meet their tolerance; it is held to twice the
 * error WASM's int8 kernels make on the same quantised weights (both stated on the line).
 */
function int8Result(c: Int8Comparison): CallResult {
  const bound = 2 * c.wasmVsReference;
  return {
    call: `int8 ${c.call}`,
    pass: Number.isFinite(c.deviceVsReference) && c.deviceVsReference <= bound,
    maxAbs: c.deviceVsReference,
    maxRel: c.referenceMax > 0 ? c.deviceVsReference / c.referenceMax : 0,
    note: `vs float32 reference; wasm int8 ${c.wasmVsReference.toExponential(2)}, bound 2x = ${bound.toExponential(2)}; |device-wasm| ${c.deviceVsWasm.toExponential(2)}`,
  };
}

/**
 * Runs each case inside headless Chromium on `@maskgen/runtime-web` with the given device: the case
 * runners themselves run in the page (bundled as dist/browser/golden-page.js), reading the case
 * files from a 127.0.0.1 server, so the browser path is the one tested, not a proxy of it.
 */
export async function startBrowserDriver(caseDirs: string[], device: WebDeviceRequest): Promise<CaseDriver> {
  const server = await startPageServer([...new Set(caseDirs.map((d) => dirname(d)))]);
  let browser: WebGpuBrowser | undefined;
  const open = async () => {
    browser = await launchWebGpuChromium();
    if (process.env.GOLDEN_DEBUG === 'shadow') await browser.page.addInitScript(() => ((globalThis as { goldenShadow?: boolean }).goldenShadow = true));
    await browser.page.goto(`${server.origin}/`);
    await browser.page.waitForFunction(() => 'golden' in globalThis, undefined, { timeout: 60_000 });
    return browser;
  };
  try {
    const b = await open();
    const info = await b.page.evaluate((d) => golden.backend(d), device);
    if (info.device !== device) throw new Error(`device ${device} resolved to ${info.device}: ${info.reason}`);
    const adapter = info.adapter ? `${info.adapter.vendor} ${info.adapter.architecture}${info.adapter.isFallbackAdapter ? ' (fallback adapter)' : ''}` : 'none';
    return {
      describe: `Chromium, onnxruntime-web device ${info.device}, adapter ${adapter}`,
      async runCase(dir, label) {
        const b = browser ?? (await open());
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>(
          (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CASE_TIMEOUT_MS / 1000} s`)), CASE_TIMEOUT_MS)),
        );
        try {
          const url = server.urlOf(dir);
          const run = b.page.evaluate(([u, l, d]) => golden.runCase(u, l, d), [url, label, device] as const);
          const results = await Promise.race([run, deadline]);
          if (INT8_CASES.includes(await caseKind(dir))) {
            try {
              const int8 = await Promise.race([b.page.evaluate(([u, d]) => golden.int8(u, d), [url, device] as const), deadline]);
              results.push(...int8.map(int8Result));
            } catch (e) {
              results.push({ call: 'int8', pass: false, maxAbs: NaN, maxRel: NaN, note: (e as Error).message.split('\n')[0].replace(/^page\.evaluate: /, '') });
            }
          }
          return results;
        } catch (e) {
          // A crashed or hung page fails this case; the next case gets a fresh browser.
          const tail = b.logs.slice(-5).join(' | ');
          await b.close();
          browser = undefined;
          return failAll({ calls: [{ name: 'case' }] }, `browser: ${(e as Error).message.split('\n')[0]}${tail ? ` (console: ${tail})` : ''}`);
        } finally {
          clearTimeout(timer);
          if (process.env.GOLDEN_DEBUG && browser) for (const l of browser.logs.splice(0)) console.error(l);
        }
      },
      async close() {
        await browser?.close();
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.close();
    throw e;
  }
}
