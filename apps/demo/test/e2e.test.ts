import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncodedResult } from '../src/automation.js';
import type { BackendInfo, SelfTestResult } from '../src/protocol.js';
import { type BrowserHandle, CHROMIUM_PATH, launchChromium } from './chromium.js';
import { cancelAtStep, canvasPixels, downloadBytes, pixelHash, previews, waitForStatus, watchPreviews } from './demo-page.js';
import { type GoldenE2e, loadGoldenE2e, maxAbsDiff } from './golden-e2e.js';
import { GOLDEN_CLIP_ACTIVATION, GOLDEN_REPOS, nodeGenerate, requireGoldenDir } from './golden-repos.js';
import { webRuntime } from '@maskgen/runtime-web';
import { decodePng } from './png.js';
import { startServer } from './static-server.js';

const DEMO = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOT = join(DEMO, 'test-results', 'demo-e2e.png');
const PROMPT = 'a red fox sitting in the snow, watercolor';
const SEED = 1234;

let out: string;
let server: Awaited<ReturnType<typeof startServer>>;
let browser: BrowserHandle;
let golden: GoldenE2e;

it('has Chromium to drive (a missing browser fails this suite, never skips it)', () => {
  expect(existsSync(CHROMIUM_PATH), `Chromium not found at ${CHROMIUM_PATH}: apt-get update && apt-get install -y chromium, or set CHROMIUM_PATH`).toBe(true);
});

describe('demo app in Chromium', () => {
  beforeAll(async () => {
    requireGoldenDir();
    golden = await loadGoldenE2e();
    out = await mkdtemp(join(tmpdir(), 'maskgen-demo-dist-'));
    await build({ root: DEMO, configFile: join(DEMO, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
    for (const f of ['index.html', 'ort/ort-wasm-simd-threaded.jsep.wasm', 'ort/ort-wasm-simd-threaded.jsep.mjs']) {
      if (!existsSync(join(out, f))) throw new Error(`vite build did not produce ${f}`);
    }
    server = await startServer(out);
    browser = await launchChromium();
    const q = new URLSearchParams({
      hub: server.origin,
      model: GOLDEN_REPOS.generator,
      tokenizer: GOLDEN_REPOS.tokenizer,
      text: GOLDEN_REPOS.textEncoder,
      act: GOLDEN_CLIP_ACTIVATION,
      device: 'wasm',
    });
    await browser.page.goto(`${server.origin}/?${q}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('serves ORT from its own origin and runs threaded WASM in the worker', async () => {
    const { page } = browser;
    const info = await browser.within(30_000, 'backend start', page.evaluate(() => window.maskgenDemo!.ready));
    expect(info).toEqual<BackendInfo>({ device: 'wasm', reason: expect.any(String), threads: expect.any(Number), crossOriginIsolated: true });
    expect(info.threads).toBeGreaterThan(1);
    await expect(page.textContent('#backend-threads')).resolves.toBe(String(info.threads));
    await expect(page.textContent('#backend-device')).resolves.toContain('WebAssembly');
    const self = await browser.within(30_000, 'self-test', page.evaluate(() => window.maskgenDemo!.selfTest()));
    expect(self).toMatchObject<Partial<SelfTestResult>>({ ok: true, maxAbsDiff: 0 });
    expect(server.hits.get('/ort/ort-wasm-simd-threaded.jsep.wasm')).toBeGreaterThan(0);
  });

  it('generates from the form with a live preview, equal to the Node pipeline', async () => {
    const { page } = browser;
    const expected = await nodeGenerate(PROMPT, SEED);
    await page.fill('#prompt', '');
    await page.locator('#prompt').pressSequentially(PROMPT);
    await page.fill('#seed', String(SEED));
    await watchPreviews(page);
    await page.click('#generate');
    const status = await waitForStatus(page, ['done', 'error']).catch((e: Error) => browser.fail(e.message));
    if (status.state !== 'done') browser.fail(`generation failed: ${status.text}`);

    const seen = await previews(page);
    const total = seen.at(-1)?.total ?? 0;
    expect(total).toBeGreaterThan(1);
    expect(seen.map((p) => p.step)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(seen.map((p) => p.hash)).size).toBeGreaterThan(1);

    const img = await canvasPixels(page, '#results canvas.final-image');
    const want = expected.images[0];
    expect([img.width, img.height]).toEqual([want.width, want.height]);
    // The last step's preview decodes the final tokens: it is the final image.
    expect(seen.at(-1)?.hash).toBe(pixelHash(img));
    const diff = maxAbsDiff(img.data, want.data);
    console.info(`browser (wasm) vs Node pipeline: max |Δ| per channel = ${diff}`);
    expect(diff).toBe(0);

    const png = await downloadBytes(page, '#results a.download');
    expect(png.name).toMatch(/\.png$/);
    expect(maxAbsDiff(decodePng(png.bytes).rgba, want.data)).toBe(0);
    await expect(page.$eval('#download-progress', (b) => (b as HTMLProgressElement).value)).resolves.toBeGreaterThan(0);
    await page.waitForFunction(() => Number(document.getElementById('cache-status')?.dataset.entries) > 0, undefined, { timeout: 10_000 });
  });

  it('cancels a second run mid-way', async () => {
    const { page } = browser;
    await page.fill('#seed', String(SEED + 1));
    await watchPreviews(page);
    await cancelAtStep(page, 2);
    await page.click('#generate');
    const status = await waitForStatus(page, ['done', 'cancelled', 'error']).catch((e: Error) => browser.fail(e.message));
    expect(status.state).toBe('cancelled');
    const [seen, bar] = await Promise.all([previews(page), page.$eval('#step-progress', (b) => [(b as HTMLProgressElement).value, (b as HTMLProgressElement).max])]);
    console.info(`cancelled at step ${bar[0]} of ${bar[1]} (${seen.length} previews shown)`);
    expect(bar[0]).toBeGreaterThanOrEqual(2);
    expect(bar[0]).toBeLessThan(bar[1]);
    expect(seen.length).toBeLessThan(bar[1]);
    await expect(page.isDisabled('#generate')).resolves.toBe(false);
  });

  it("replays the golden e2e draws and reproduces the reference's image", async () => {
    const { page } = browser;
    const r: EncodedResult = await browser.within(
      60_000,
      'golden replay',
      page.evaluate((g) => window.maskgenDemo!.generate({ prompts: g.prompts, replay: g.draws, steps: g.steps, guidance: g.guidance, seed: 0 }), {
        prompts: golden.prompts,
        draws: golden.draws,
        steps: golden.steps,
        guidance: golden.guidance,
      }),
    );
    expect(r.tokens).toEqual(golden.ids);
    for (const [i, ref] of golden.images.entries()) {
      const got = Buffer.from(r.images[i].base64, 'base64');
      const diff = maxAbsDiff(got, ref.rgba);
      console.info(`browser golden replay image_${i}.png: max |Δ| per channel = ${diff} (case tolerance ${golden.imageTolerance})`);
      expect(diff).toBeLessThanOrEqual(golden.imageTolerance);
    }
    await mkdir(join(DEMO, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('generates with int8 weights when chosen: the int8 image of the same WASM build in Node, not the float32 one', async () => {
    const { page } = browser;
    // int8 kernels differ between native and WASM builds of ORT (float32 ones agree), so the reference is onnxruntime-web in Node.
    const web = () => webRuntime({ device: 'wasm', threads: 1 });
    const [f32, q8] = [await nodeGenerate(PROMPT, SEED, 'float32', web()), await nodeGenerate(PROMPT, SEED, 'int8', web())];
    await page.locator('summary', { hasText: 'Model source' }).click();
    await page.selectOption('#precision', 'int8');
    await page.fill('#seed', String(SEED));
    await page.click('#generate');
    const status = await waitForStatus(page, ['done', 'error']).catch((e: Error) => browser.fail(e.message));
    if (status.state !== 'done') browser.fail(`int8 generation failed: ${status.text}`);
    const img = await canvasPixels(page, '#results canvas.final-image');
    const [toQ8, toF32] = [maxAbsDiff(img.data, q8.images[0].data), maxAbsDiff(img.data, f32.images[0].data)];
    console.info(`browser int8 vs onnxruntime-web int8 in Node: max |Δ| = ${toQ8}; vs float32: ${toF32}`);
    expect(toQ8).toBe(0);
    expect(toF32).toBeGreaterThan(toQ8);
    await page.selectOption('#precision', '');
  });

  it('generates with the network off from a full cache after a reload: no model request, the same image', async () => {
    const { page, context } = browser;
    const expected = await nodeGenerate(PROMPT, SEED);
    const blocked: string[] = [];
    const before = browser.requests.length;
    // Model files off the network (the page's own assets still load, as from a static host's cache).
    await context.route('**/resolve/**', (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    try {
      await page.reload();
      await browser.within(30_000, 'backend start after reload', page.evaluate(() => window.maskgenDemo!.ready));
      await page.fill('#prompt', PROMPT);
      await page.fill('#seed', String(SEED));
      await page.click('#generate');
      const status = await waitForStatus(page, ['done', 'error']).catch((e: Error) => browser.fail(e.message));
      if (status.state !== 'done') browser.fail(`offline generation failed: ${status.text}`);
      expect(blocked).toEqual([]);
      expect(browser.requests.slice(before).filter((u) => u.includes('/resolve/'))).toEqual([]);
      const img = await canvasPixels(page, '#results canvas.final-image');
      expect(maxAbsDiff(img.data, expected.images[0].data)).toBe(0);
    } finally {
      await context.unroute('**/resolve/**');
    }
  });

  it('generates on WebGPU when chosen in the device selector, with the pixels of the WASM run', async () => {
    const { page } = browser;
    // The float32 WASM image of this prompt and seed equals onnxruntime-node's (asserted above).
    const wasm = await nodeGenerate(PROMPT, SEED);
    await page.selectOption('#device', 'webgpu');
    await page.waitForURL(/device=webgpu/);
    await page.waitForFunction(() => !!window.maskgenDemo);
    const info = await browser.within(60_000, 'WebGPU backend start', page.evaluate(() => window.maskgenDemo!.ready));
    expect(info.device).toBe('webgpu');
    expect(info.adapter).toBeTruthy();
    await expect(page.textContent('#backend-device')).resolves.toContain('WebGPU');
    await expect(page.inputValue('#device')).resolves.toBe('webgpu');
    await page.fill('#prompt', PROMPT);
    await page.fill('#seed', String(SEED));
    await page.click('#generate');
    const status = await waitForStatus(page, ['done', 'error'], 400_000).catch((e: Error) => browser.fail(e.message));
    if (status.state !== 'done') browser.fail(`WebGPU generation failed: ${status.text}`);
    const img = await canvasPixels(page, '#results canvas.final-image');
    const diff = maxAbsDiff(img.data, wasm.images[0].data);
    console.info(`browser WebGPU (${info.adapter}) vs WASM image: max |Δ| per channel = ${diff}`);
    expect(diff).toBe(0);
  }, 420_000);

  it('purges the model cache, having used no other origin (no CDN)', async () => {
    const { page } = browser;
    await page.click('#purge');
    await page.waitForFunction(() => document.getElementById('cache-status')?.dataset.entries === '0');
    expect(browser.requests.filter((u) => !u.startsWith(`${server.origin}/`) && !/^(blob|data):/.test(u))).toEqual([]);
  });
});
