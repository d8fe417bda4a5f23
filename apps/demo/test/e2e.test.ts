import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncodedResult } from '../src/automation.js';
import type { BackendInfo, SelfTestResult } from '../src/protocol.js';
import { type BrowserHandle, CHROMIUM_PATH, launchChromium } from './chromium.js';
import type { Page } from 'playwright-core';
import { cancelAtStep, canvasPixels, downloadBytes, downloads, pixelHash, previews, waitForStatus, watchDownload, watchPreviews } from './demo-page.js';
import { type GoldenE2e, loadGoldenE2e, maxAbsDiff } from './golden-e2e.js';
import { GOLDEN_CLIP_ACTIVATION, GOLDEN_REPOS, nodeGenerate, requireGoldenDir } from './golden-repos.js';
import { webRuntime } from '@maskgen/runtime-web';
import { decodePng } from './png.js';
import { SERVED_ZOO_MODEL, TOO_BIG_REPO, startServer } from './static-server.js';

const DEMO = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = join(DEMO, 'test-output');
const SCREENSHOT = join(OUTPUT, 'demo-e2e.png');
const PROMPT = 'a red fox sitting in the snow, watercolor';
const SEED = 1234;

/** WCAG contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

let out: string;
let server: Awaited<ReturnType<typeof startServer>>;
let browser: BrowserHandle;
let golden: GoldenE2e;

it('has Chromium to drive (a missing browser fails this suite, never skips it)', () => {
  expect(existsSync(CHROMIUM_PATH), `Chromium not found at ${CHROMIUM_PATH}: apt-get update && apt-get install -y chromium, or set CHROMIUM_PATH`).toBe(true);
});

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true }); // after both suites: the static-host one serves the same build
});

describe('demo app in Chromium', () => {
  const query = (extra: Record<string, string> = {}) =>
    new URLSearchParams({
      hub: server.origin,
      model: GOLDEN_REPOS.generator,
      tokenizer: GOLDEN_REPOS.tokenizer,
      text: GOLDEN_REPOS.textEncoder,
      act: GOLDEN_CLIP_ACTIVATION,
      device: 'wasm',
      ...extra,
    });
  /** A new tab of the same browser (same cache), in the state a fresh visit has: nothing carried over from other tests. */
  const freshPage = async (
    extra: Record<string, string> = {},
    o: { waitReady?: boolean; viewport?: { width: number; height: number } } = {},
  ): Promise<Page> => {
    const page = await browser.context.newPage();
    if (o.viewport) await page.setViewportSize(o.viewport);
    await page.goto(`${server.origin}/?${query(extra)}`);
    await page.waitForFunction(() => window.maskgenDemo, undefined, { timeout: 30_000 });
    if (o.waitReady ?? true)
      await browser.within(
        60_000,
        'backend start (new tab)',
        page.evaluate(() => window.maskgenDemo!.ready),
      );
    return page;
  };
  /** The int8 image of the int8 test, which the next load must reproduce from cached packs. */
  let int8Image: Uint8Array | undefined;
  /** Hub-like servers that are not the page's own (their requests are expected in the "no other origin" check). */
  const otherHubs: string[] = ['http://127.0.0.1:9/'];

  beforeAll(async () => {
    requireGoldenDir();
    golden = await loadGoldenE2e();
    out = await mkdtemp(join(tmpdir(), 'maskgen-demo-dist-'));
    await build({ root: DEMO, configFile: join(DEMO, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
    for (const f of ['index.html', 'ort/ort-wasm-simd-threaded.jsep.wasm', 'ort/ort-wasm-simd-threaded.jsep.mjs', 'coi-sw.js', '_headers']) {
      if (!existsSync(join(out, f))) throw new Error(`vite build did not produce ${f}`);
    }
    server = await startServer(out);
    browser = await launchChromium();
    await browser.page.goto(`${server.origin}/?${query()}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves ORT from its own origin and runs threaded WASM in the worker', async () => {
    const { page } = browser;
    const info = await browser.within(
      30_000,
      'backend start',
      page.evaluate(() => window.maskgenDemo!.ready),
    );
    expect(info).toEqual<BackendInfo>({ device: 'wasm', reason: expect.any(String), threads: expect.any(Number), crossOriginIsolated: true });
    expect(info.threads).toBeGreaterThan(1);
    await expect(page.textContent('#backend-threads')).resolves.toBe(String(info.threads));
    await expect(page.textContent('#backend-device')).resolves.toContain('WebAssembly');
    // The device choice is visible with its reason (here: asked for WASM by ?device=wasm).
    await expect(page.inputValue('#device')).resolves.toBe('wasm');
    await expect(page.textContent('#backend-reason')).resolves.toBe('You chose WebAssembly.');
    const self = await browser.within(
      30_000,
      'self-test',
      page.evaluate(() => window.maskgenDemo!.selfTest()),
    );
    expect(self).toMatchObject<Partial<SelfTestResult>>({ ok: true, maxAbsDiff: 0 });
    expect(server.hits.get('/ort/ort-wasm-simd-threaded.jsep.wasm')).toBeGreaterThan(0);
  });

  it('ships _headers with COOP/COEP for hosts that read it (Netlify, Cloudflare Pages)', async () => {
    const headers = await readFile(join(out, '_headers'), 'utf8');
    expect(headers).toMatch(/^\/\*$/m);
    expect(headers).toMatch(/^\s+Cross-Origin-Opener-Policy: same-origin$/m);
    expect(headers).toMatch(/^\s+Cross-Origin-Embedder-Policy: require-corp$/m);
  });

  it('labels its progress bars and announces its status; ?device=auto says what it chose and why', async () => {
    const { page } = browser;
    await expect(page.getByRole('progressbar', { name: 'Download', exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('progressbar', { name: 'Sampling', exact: true }).count()).resolves.toBe(1);
    await expect(page.getAttribute('#status', 'aria-live')).resolves.toBe('polite');
    await expect(page.getAttribute('#model-size', 'aria-live')).resolves.toBe('polite');
    const auto = await freshPage({ device: 'auto' }, { waitReady: false });
    try {
      await auto.waitForFunction(() => document.getElementById('backend')?.dataset.state !== 'starting', undefined, { timeout: 60_000 });
      const reason = (await auto.textContent('#backend-reason')) ?? '';
      console.info(`?device=auto: ${reason}`);
      await expect(auto.inputValue('#device')).resolves.toBe('auto');
      expect(reason).toMatch(/^Auto chose (WebGPU|WebAssembly): \S.*\.$/);
      const device = await auto.$eval('#backend', (el) => (el as HTMLElement).dataset.device);
      expect(reason.startsWith(`Auto chose ${device === 'webgpu' ? 'WebGPU' : 'WebAssembly'}`)).toBe(true);
    } finally {
      await auto.close();
    }
  });

  it('shows download sizes and memory before anything downloads', async () => {
    const { page } = browser;
    await page.waitForFunction(() => ['ok', 'too-big', 'error'].includes(document.getElementById('model-size')?.dataset.state ?? ''), undefined, {
      timeout: 30_000,
    });
    const [state, text, planned] = await page.$eval('#model-size', (el) => [
      (el as HTMLElement).dataset.state,
      el.textContent ?? '',
      Number((el as HTMLElement).dataset.download),
    ]);
    console.info(`size line: ${text}`);
    expect(state).toBe('ok');
    expect(text).toMatch(/\d+(\.\d)? (kB|MB) to download \+ \d+\.\d MB ONNX Runtime \(once\); needs ≈\d+(\.\d)? (kB|MB) of memory \(float32\)/);
    expect(planned).toBeGreaterThan(0);
    // Only metadata moved: HEADs and the safetensors headers' ranges, no whole file.
    expect(server.log.filter((r) => r.path.includes('/resolve/') && r.method === 'GET' && !r.range)).toEqual([]);
    // Zoo entries carry human names (sizes, or that this hub does not have them).
    await page.waitForFunction(
      () => [...(document.getElementById('model') as HTMLSelectElement).options].every((o) => !o.value.includes('/') || o.text.includes('—')),
      undefined,
      { timeout: 30_000 },
    );
    const labels = await page.$$eval('#model option', (os) => os.map((o) => o.textContent ?? ''));
    console.info(`picker: ${labels.join(' | ')}`);
    // The zoo's VQ-L is on this hub (golden files under its real id): its size; the others are not.
    const vqL = await page.$eval(`#model option[value="${SERVED_ZOO_MODEL}"]`, (o) => o.textContent ?? '');
    expect(vqL).toMatch(/^MaskGen-VQ L — \d+(\.\d)? (kB|MB|GB)$/);
    expect(labels).toContain('MaskGen-KL XL — not on this hub');
    // The custom id row shows only for "custom…" (the query chose a custom id).
    await expect(page.isVisible('#custom-model-row')).resolves.toBe(true);
    await page.selectOption('#model', SERVED_ZOO_MODEL);
    await expect(page.isHidden('#custom-model-row')).resolves.toBe(true);
    // Picking the zoo entry shows its download and the memory it needs before anything downloads.
    await page.waitForFunction(
      () => {
        const el = document.getElementById('model-size')!;
        return el.dataset.state === 'ok' && (el.textContent ?? '').startsWith('MaskGen-VQ L — ');
      },
      undefined,
      { timeout: 30_000 },
    );
    await expect(page.textContent('#model-size')).resolves.toMatch(
      /^MaskGen-VQ L — \d+(\.\d)? (kB|MB) to download .*needs ≈\d+(\.\d)? (kB|MB) of memory \(float32\)\.$/,
    );
    await page.selectOption('#model', '__custom__');
    await expect(page.isVisible('#custom-model-row')).resolves.toBe(true);
    await expect(page.inputValue('#custom-model')).resolves.toBe(GOLDEN_REPOS.generator);
    await page.waitForFunction(
      (id) => {
        const el = document.getElementById('model-size')!;
        return el.dataset.state === 'ok' && (el.textContent ?? '').startsWith(`${id} — `);
      },
      GOLDEN_REPOS.generator,
      { timeout: 30_000 },
    );
    expect(server.log.filter((r) => r.path.includes('/resolve/') && r.method === 'GET' && !r.range)).toEqual([]);
  });

  it('defaults to int8 when float32 cannot fit a tab, and refuses float32 before downloading', async () => {
    const { page } = browser;
    const before = server.log.length;
    await page.fill('#custom-model', TOO_BIG_REPO);
    await page.dispatchEvent('#custom-model', 'change');
    await page.waitForFunction(() => (document.getElementById('model-size')?.textContent ?? '').includes('int8 chosen'), undefined, { timeout: 30_000 });
    await expect(page.inputValue('#precision')).resolves.toBe('int8');
    await expect(page.textContent('#model-size')).resolves.toMatch(/float32 needs 2\.3 GB for one model, over the 2\.1 GB limit/);
    // The person insists on float32: warned in the size line, and Generate refuses without downloading.
    await page.selectOption('#precision', '');
    await page.waitForFunction(() => document.getElementById('model-size')?.dataset.state === 'too-big');
    await page.click('#generate');
    const status = await waitForStatus(page, ['done', 'error', 'cancelled']);
    expect(status.state).toBe('error');
    expect(status.text).toMatch(/test\/too-big needs 2\.\d+ GB of weights in float32.*nothing was downloaded.*Choose “int8” under “Weights”/);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('precision');
    expect(server.log.slice(before).filter((r) => r.path.startsWith(`/${TOO_BIG_REPO}/`) && r.method === 'GET' && !r.range)).toEqual([]);
    await expect(page.$eval('#download-progress', (b) => (b as HTMLProgressElement).value)).resolves.toBe(0);
    await page.fill('#custom-model', GOLDEN_REPOS.generator);
    await page.dispatchEvent('#custom-model', 'change');
  });

  it('says what to fix for an unknown model and an unreachable hub, showing retries as they happen', async () => {
    const { page } = browser;
    await page.fill('#custom-model', 'nobody/no-such-model');
    await page.click('#generate');
    let status = await waitForStatus(page, ['done', 'error', 'cancelled']);
    expect(status.text).toContain('There is no model “nobody/no-such-model” on 127.0.0.1');
    await expect(page.$eval('#status', (el) => (el as HTMLElement).dataset.kind)).resolves.toBe('repo-not-found');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('custom-model');
    await page.fill('#custom-model', GOLDEN_REPOS.generator);

    const hub = await page.inputValue('#hub');
    await page.evaluate(() => ((document.getElementById('source') as HTMLDetailsElement).open = true));
    await page.fill('#hub', 'http://127.0.0.1:9'); // discard port: nothing listens
    // Retry lines of the status and of the size line (which asks the hub for sizes as the field changes).
    await page.evaluate(() => {
      const seen: Record<string, string[]> = { status: [], 'model-size': [] };
      (window as unknown as { __retries: typeof seen }).__retries = seen;
      for (const id of Object.keys(seen)) {
        const el = document.getElementById(id)!;
        new MutationObserver(() => {
          if (el.dataset.retries) seen[id].push(el.textContent ?? '');
        }).observe(el, { childList: true, characterData: true, subtree: true, attributes: true });
      }
    });
    await page.click('#generate'); // leaving the field fires its change: the size line asks the dead hub too
    status = await waitForStatus(page, ['done', 'error', 'cancelled'], 60_000);
    const retries = await page.evaluate(() => (window as unknown as { __retries: Record<string, string[]> }).__retries);
    console.info(`unreachable hub: ${retries.status.length} retry lines, then: ${status.text}`);
    console.info(`size line while retrying: ${retries['model-size'][0]}`);
    expect(retries.status[0]).toMatch(/^No answer from 127\.0\.0\.1:9 .*retrying 1 of 4 in \d\.\d s…$/);
    expect(retries['model-size'][0]).toMatch(/^golden\/maskgen_vq — size unknown yet\. No answer from 127\.0\.0\.1:9 .*retrying 1 of 4 in \d\.\d s…$/);
    expect(status.text).toMatch(/^Could not reach 127\.0\.0\.1:9: .*no CORS.*“Model base URL” under “Model source”/);
    await expect(page.$eval('#source', (d) => (d as HTMLDetailsElement).open)).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('hub');
    // After its retries the size line ends with the same actionable message.
    await page.waitForFunction(() => document.getElementById('model-size')?.dataset.state === 'error', undefined, { timeout: 30_000 });
    await expect(page.$eval('#model-size', (el) => (el as HTMLElement).dataset.kind)).resolves.toBe('unreachable');
    await expect(page.textContent('#model-size')).resolves.toContain('“Model base URL” under “Model source”');
    const sizeRetries = await page.evaluate(() => (window as unknown as { __retries: Record<string, string[]> }).__retries['model-size']);
    expect(sizeRetries.some((t) => / retrying 4 of 4 in /.test(t))).toBe(true);
    // The error text is readable in both themes (WCAG AA: 4.5:1).
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const [fg, bg] = await page.evaluate(() => [getComputedStyle(document.getElementById('status')!).color, getComputedStyle(document.body).backgroundColor]);
      const ratio = contrast(fg, bg);
      console.info(`error text in ${colorScheme} mode: ${fg} on ${bg}, contrast ${ratio.toFixed(1)}:1`);
      expect(ratio).toBeGreaterThanOrEqual(4.5);
    }
    await page.emulateMedia({ colorScheme: null });
    await page.fill('#hub', hub);
    await page.dispatchEvent('#hub', 'change');
    await page.waitForFunction(() => document.getElementById('model-size')?.dataset.state === 'ok', undefined, { timeout: 30_000 });
    await page.evaluate(() => ((document.getElementById('source') as HTMLDetailsElement).open = false));
  });

  it('says what to fix for a hub that answers without CORS headers', async () => {
    const { page } = browser;
    // The same files on another origin (another port) that sends no Access-Control-Allow-Origin: the browser hides every answer.
    const noCors = await startServer(out);
    otherHubs.push(`${noCors.origin}/`);
    const hub = await page.inputValue('#hub');
    try {
      await page.evaluate(() => ((document.getElementById('source') as HTMLDetailsElement).open = true));
      await page.fill('#hub', noCors.origin);
      await page.evaluate(() => ((document.getElementById('source') as HTMLDetailsElement).open = false));
      await page.click('#generate');
      const status = await waitForStatus(page, ['done', 'error', 'cancelled'], 60_000);
      console.info(`hub without CORS: ${status.text}`);
      expect(status.state).toBe('error');
      // It was reached (the server saw the requests); the page still cannot read its answers.
      expect(noCors.log.some((r) => r.path.includes('/resolve/'))).toBe(true);
      await expect(page.$eval('#status', (el) => (el as HTMLElement).dataset.kind)).resolves.toMatch(/^(unreachable|no-cors)$/);
      expect(status.text).toContain(`${new URL(noCors.origin).host}`);
      expect(status.text).toMatch(/no CORS.*“Model base URL” under “Model source”/);
      // The message opens the section holding that control and puts focus on it.
      await expect(page.$eval('#source', (d) => (d as HTMLDetailsElement).open)).resolves.toBe(true);
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('hub');
    } finally {
      await page.fill('#hub', hub);
      await page.dispatchEvent('#hub', 'change');
      await noCors.close();
    }
    await page.waitForFunction(() => document.getElementById('model-size')?.dataset.state === 'ok', undefined, { timeout: 30_000 });
    await page.evaluate(() => ((document.getElementById('source') as HTMLDetailsElement).open = false));
  });

  it('generates from the form with a live preview, equal to the Node pipeline', async () => {
    const { page } = browser;
    const expected = await nodeGenerate(PROMPT, SEED);
    await page.fill('#prompt', '');
    await page.locator('#prompt').pressSequentially(PROMPT);
    await page.fill('#seed', String(SEED));
    await watchPreviews(page);
    await watchDownload(page);
    const shown = await page.$eval('#model-size', (el) => Number((el as HTMLElement).dataset.download));
    await page.click('#generate');
    const status = await waitForStatus(page, ['done', 'error']).catch((e: Error) => browser.fail(e.message));
    if (status.state !== 'done') browser.fail(`generation failed: ${status.text}`);

    // The download bar as it moved: from the first byte its total is the size shown before the run, it is
    // not full until the download ends, and the text names the file coming in.
    const bar = await downloads(page);
    const during = bar.filter((b) => b.value > 0 && b.text.includes(' — '));
    console.info(`download bar: ${bar.length} states, e.g. "${during[0]?.text}" … "${during.at(-1)?.text}" then "${bar.at(-1)?.text}"`);
    const planned = bar.findIndex((b) => b.max > 1);
    expect(bar[planned]).toEqual({ value: 0, max: shown, text: expect.stringMatching(/^0 \/ \d+(\.\d)? (kB|MB)$/) });
    expect(during.length).toBeGreaterThan(2);
    for (const [i, b] of during.entries()) {
      expect(b.max).toBe(shown);
      if (i < during.length - 1) expect(b.value).toBeLessThan(b.max);
      else expect(b.value).toBeLessThanOrEqual(b.max);
      expect(b.text).toMatch(
        /^\d+(\.\d)? (kB|MB) \/ \d+(\.\d)? (kB|MB) — golden\/(maskgen_vq|tatitok_vq|clip_text)\/(config\.json|model\.safetensors|bpe_simple_vocab_16e6\.txt\.gz)$/,
      );
    }
    expect(during.map((b) => b.value)).toEqual(during.map((b) => b.value).sort((x, y) => x - y));
    const named = new Set(during.map((b) => b.text.split(' — ')[1]));
    for (const repo of Object.values(GOLDEN_REPOS)) expect([...named].some((f) => f === `${repo}/model.safetensors`)).toBe(true);
    expect(bar.slice(planned).every((b) => b.max === shown || b === bar.at(-1))).toBe(true);

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
    // One bar for the whole download, its total known up front: full only at the end, and equal to the sizes shown before.
    const [value, max] = await page.$eval('#download-progress', (b) => [(b as HTMLProgressElement).value, (b as HTMLProgressElement).max]);
    console.info(`download bar: ${value} / ${max} bytes (${await page.textContent('#download-text')})`);
    expect(value).toBe(max);
    // The total shown before the download is an upper bound (all of CLIP's text-tower blocks), within 10% of what came.
    expect(max).toBeLessThanOrEqual(shown);
    expect(max).toBeGreaterThan(shown * 0.9);
    await expect(page.textContent('#status')).resolves.toMatch(/^Done in \d+\.\d s · seed 1234 · \d+ steps · guidance [\d.]+\.$/);
    await expect(page.isHidden('#preview-figure')).resolves.toBe(true);
    await expect(page.getAttribute('#results canvas', 'aria-label')).resolves.toBe(PROMPT);
    await page.waitForFunction(() => Number(document.getElementById('cache-status')?.dataset.entries) > 0, undefined, { timeout: 10_000 });
    // After the run the size line counts the cache: nothing is left to download (CLIP's config and vocab included).
    await page
      .waitForFunction(() => document.getElementById('model-size')?.dataset.download === '0', undefined, { timeout: 10_000 })
      .catch(async () => {
        throw new Error(`size line after a full run: ${await page.textContent('#model-size')}`);
      });
    await expect(page.textContent('#model-size')).resolves.toMatch(/^golden\/maskgen_vq — nothing left to download \(all \d+(\.\d)? (kB|MB) cached\)/);
  });

  it('cancels a second run mid-way', async () => {
    const { page } = browser;
    await page.fill('#seed', String(SEED + 1));
    await watchPreviews(page);
    await cancelAtStep(page, 2);
    await page.click('#generate');
    const status = await waitForStatus(page, ['done', 'cancelled', 'error']).catch((e: Error) => browser.fail(e.message));
    expect(status.state).toBe('cancelled');
    const [seen, bar] = await Promise.all([
      previews(page),
      page.$eval('#step-progress', (b) => [(b as HTMLProgressElement).value, (b as HTMLProgressElement).max]),
    ]);
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
    await mkdir(OUTPUT, { recursive: true });
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
    int8Image = img.data;
    await page.selectOption('#precision', '');
  });

  it('keeps the int8 weights it quantised: the next page load takes them from the cache (no quantising), the same image', async () => {
    // The run above stored its packs; a new tab is a new page load with a new worker and runtime.
    expect(int8Image).toBeDefined();
    const page = await freshPage({ prompt: PROMPT, seed: String(SEED) });
    try {
      await page.waitForFunction(() => Number(document.getElementById('cache-status')?.dataset.packs) > 0, undefined, { timeout: 30_000 });
      await expect(page.textContent('#cache-status')).resolves.toMatch(/of int8 weights ready for the next load \(\d+ models\)/);
      expect(await page.$eval('#cache-status', (e) => (e as HTMLElement).dataset.packHits)).toBe('0');
      await page.locator('summary', { hasText: 'Model source' }).click();
      await page.selectOption('#precision', 'int8');
      await page.click('#generate');
      const status = await waitForStatus(page, ['done', 'error']).catch((e: Error) => browser.fail(e.message));
      if (status.state !== 'done') browser.fail(`int8 generation from cached packs failed: ${status.text}`);
      await page.waitForFunction(() => Number(document.getElementById('cache-status')?.dataset.packHits) > 0, undefined, { timeout: 30_000 });
      const img = await canvasPixels(page, '#results canvas.final-image');
      expect(maxAbsDiff(img.data, int8Image!)).toBe(0);
    } finally {
      await page.close();
    }
  });

  for (const [width, height] of [
    [390, 844],
    [1440, 900],
  ]) {
    it(`fits a ${width} px wide screen: no horizontal overflow, the download link on screen after a run (screenshot saved)`, async () => {
      // A new tab at this width, as a visitor opens it: "Model source" closed, nothing scrolled, no earlier run's state.
      const page = await freshPage({ prompt: PROMPT, seed: String(SEED) }, { viewport: { width, height } });
      try {
        await expect(page.$eval('#source', (d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
        await expect(page.evaluate(() => window.scrollY)).resolves.toBe(0);
        await page.waitForFunction(() => document.getElementById('model-size')?.dataset.state === 'ok', undefined, { timeout: 30_000 });
        const before = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(before).toBe(0);
        await page.click('#generate');
        const status = await waitForStatus(page, ['done', 'error', 'cancelled']);
        if (status.state !== 'done') browser.fail(`generation at ${width} px failed: ${status.text}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBe(0);
        await expect(page.textContent('#download-text')).resolves.toBe('nothing to download: all in the cache');
        const box = await page.locator('#results a.download').boundingBox();
        console.info(`${width} px: download link at y=${box?.y.toFixed(0)} (page scrolled to ${await page.evaluate(() => window.scrollY)})`);
        expect(box).not.toBeNull();
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height).toBeLessThanOrEqual(height + 1); // subpixel rounding of scrollIntoView
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(width);
        await mkdir(OUTPUT, { recursive: true });
        await page.screenshot({ path: join(OUTPUT, `demo-${width}.png`), fullPage: true });
      } finally {
        await page.close();
      }
    });
  }

  it('generates with the network off from a full cache after a reload: no model request, the same image', async () => {
    const { page, context } = browser;
    const expected = await nodeGenerate(PROMPT, SEED);
    const before = browser.requests.length;
    const served = server.log.length;
    // The reload itself needs the page's own files (as a static host's cache would give them); then the network goes off.
    await page.reload();
    await browser.within(
      30_000,
      'backend start after reload',
      page.evaluate(() => window.maskgenDemo!.ready),
    );
    // The size line comes from what the first visit learned: a reload asks the hub nothing.
    await page.waitForFunction(() => document.getElementById('model-size')?.dataset.state === 'ok', undefined, { timeout: 30_000 });
    await context.setOffline(true);
    try {
      await expect(page.evaluate(() => navigator.onLine)).resolves.toBe(false);
      await page.fill('#prompt', PROMPT);
      await page.fill('#seed', String(SEED));
      await page.click('#generate');
      const status = await waitForStatus(page, ['done', 'error']).catch((e: Error) => browser.fail(e.message));
      if (status.state !== 'done') browser.fail(`offline generation failed: ${status.text}`);
      expect(server.log.slice(served).filter((r) => r.path.includes('/resolve/'))).toEqual([]);
      expect(browser.requests.slice(before).filter((u) => u.includes('/resolve/'))).toEqual([]);
      const img = await canvasPixels(page, '#results canvas.final-image');
      expect(maxAbsDiff(img.data, expected.images[0].data)).toBe(0);
      // The cache panel says what is stored, per repo, and that it works offline.
      await page.waitForFunction(() => document.querySelectorAll('#cache-list li').length >= 3, undefined, { timeout: 10_000 });
      const items = await page.$$eval('#cache-list li', (li) => li.map((l) => l.textContent ?? ''));
      for (const repo of Object.values(GOLDEN_REPOS)) expect(items.some((t) => t.startsWith(`${repo} — `) && /\d (kB|MB)/.test(t))).toBe(true);
      await expect(page.textContent('#cache-status')).resolves.toMatch(/^\d+(\.\d)? (kB|MB) in \d+ files from \d+ repos — these models work offline/);
    } finally {
      await context.setOffline(false);
    }
  });

  it('generates on WebGPU when chosen in the device selector, with the pixels of the WASM run', async () => {
    const { page } = browser;
    // The float32 WASM image of this prompt and seed equals onnxruntime-node's (asserted above).
    const wasm = await nodeGenerate(PROMPT, SEED);
    await page.selectOption('#device', 'webgpu');
    await page.waitForURL(/device=webgpu/);
    await page.waitForFunction(() => !!window.maskgenDemo);
    const info = await browser.within(
      60_000,
      'WebGPU backend start',
      page.evaluate(() => window.maskgenDemo!.ready),
    );
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
    expect(await page.$eval('#cache-status', (e) => (e as HTMLElement).dataset.packs)).toBe('0');
    await expect(page.evaluate(async () => (await (await caches.open('maskgen-packed-weights')).keys()).length)).resolves.toBe(0);
    // Besides the page's own origin, only the hubs the error tests pointed at (unreachable, no CORS).
    expect(browser.requests.filter((u) => !u.startsWith(`${server.origin}/`) && !otherHubs.some((h) => u.startsWith(h)) && !/^(blob|data):/.test(u))).toEqual(
      [],
    );
  });

  it('offline with nothing cached: says to connect once, naming the cache panel, and asks the hub nothing', async () => {
    const { context } = browser;
    // A new tab: its worker holds no model in memory (the purged one lives on in the old tab's worker).
    const page = await freshPage({ prompt: PROMPT, seed: String(SEED) });
    try {
      await page.waitForFunction(() => document.getElementById('model-size')?.dataset.state === 'ok', undefined, { timeout: 30_000 });
      await expect(page.$eval('#model-size', (el) => Number((el as HTMLElement).dataset.download))).resolves.toBeGreaterThan(0);
      // The picker's sizes are asked for in the background after the size line: let those requests finish first.
      await page.waitForFunction(() => document.getElementById('model')?.dataset.sizes === 'done', undefined, { timeout: 60_000 });
      const served = server.log.length;
      await context.setOffline(true);
      await page.click('#generate');
      const status = await waitForStatus(page, ['done', 'error', 'cancelled'], 60_000);
      console.info(`offline, empty cache: ${status.text}`);
      expect(status.state).toBe('error');
      await expect(page.$eval('#status', (el) => (el as HTMLElement).dataset.kind)).resolves.toBe('offline');
      expect(status.text).toMatch(/^You are offline.*Connect once and generate with it.*“Model cache”/);
      // Offline is known, not discovered by retrying a hub that cannot answer.
      await expect(page.$eval('#status', (el) => (el as HTMLElement).dataset.retries)).resolves.toBeUndefined();
      expect(server.log.slice(served).filter((r) => r.path.includes('/resolve/'))).toEqual([]);
      await expect(page.isDisabled('#generate')).resolves.toBe(false);
    } finally {
      await context.setOffline(false);
      await page.close();
    }
  });
});

describe('demo app from a plain static host (no COOP/COEP headers, as GitHub Pages serves it)', () => {
  let plain: Awaited<ReturnType<typeof startServer>>;
  let b: BrowserHandle;
  const query = () =>
    new URLSearchParams({
      hub: plain.origin,
      model: GOLDEN_REPOS.generator,
      tokenizer: GOLDEN_REPOS.tokenizer,
      text: GOLDEN_REPOS.textEncoder,
      act: GOLDEN_CLIP_ACTIVATION,
      device: 'wasm',
      prompt: PROMPT,
      seed: String(SEED),
    });

  beforeAll(async () => {
    plain = await startServer(out, { isolation: false });
    b = await launchChromium();
  });
  afterAll(async () => {
    await b?.close();
    await plain?.close();
  });

  it('cancels mid-run on one thread, without cross-origin isolation (?coi=off: no service worker)', async () => {
    const { page } = b;
    await page.goto(`${plain.origin}/?${query()}&coi=off`);
    await page.waitForFunction(() => window.maskgenDemo);
    const info = await b.within(
      30_000,
      'backend start',
      page.evaluate(() => window.maskgenDemo!.ready),
    );
    expect(info).toMatchObject({ crossOriginIsolated: false, threads: 1 });
    await expect(page.textContent('#backend-isolation')).resolves.toMatch(/not cross-origin isolated: one thread/);
    await page.click('#generate'); // first run downloads and fills this origin's cache
    const first = await waitForStatus(page, ['done', 'error', 'cancelled']);
    if (first.state !== 'done') b.fail(`generation failed: ${first.text}`);
    await watchPreviews(page);
    await cancelAtStep(page, 2);
    await page.fill('#seed', String(SEED + 1));
    await page.click('#generate');
    const status = await waitForStatus(page, ['done', 'cancelled', 'error']);
    const bar = await page.$eval('#step-progress', (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max]);
    console.info(`no isolation: cancelled at step ${bar[0]} of ${bar[1]}`);
    expect(status.state).toBe('cancelled');
    expect(bar[0]).toBeLessThan(bar[1]);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('generate');
  });

  it('is made cross-origin isolated by its service worker (threads on a host that sends no headers), and generates by keyboard alone', async () => {
    const { page } = b;
    // The first load registers the worker and reloads itself; the page that stays is served through it.
    const reloaded = page.waitForEvent('framenavigated', { timeout: 30_000 });
    await page.goto(`${plain.origin}/?${query()}`);
    await reloaded;
    await page.waitForLoadState('load');
    await page.waitForFunction(() => window.maskgenDemo, undefined, { timeout: 30_000 });
    const info = await b.within(
      30_000,
      'backend start',
      page.evaluate(() => window.maskgenDemo!.ready),
    );
    expect(info.crossOriginIsolated).toBe(true);
    expect(info.threads).toBeGreaterThan(1);
    await expect(page.textContent('#backend-isolation')).resolves.toBe('cross-origin isolated (by the service worker)');
    expect(plain.hits.get('/coi-sw.js')).toBeGreaterThan(0);

    // Keyboard only. Tab into the prompt and press Ctrl+Enter: it generates, and focus stays in the prompt.
    await page.waitForFunction(() => !(document.getElementById('generate') as HTMLButtonElement).disabled);
    const tabTo = async (id: string) => {
      for (let i = 0; i < 16 && (await page.evaluate(() => document.activeElement?.id)) !== id; i++) await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe(id);
    };
    await tabTo('prompt');
    await page.keyboard.press('Control+Enter');
    let status = await waitForStatus(page, ['done', 'error', 'cancelled']);
    if (status.state !== 'done') b.fail(`keyboard generation failed: ${status.text}`);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('prompt');
    // Enter on Generate: focus moves to Cancel while it runs (not to <body> as the button disables), then back.
    await tabTo('generate');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state !== 'done');
    const during = await page.evaluate(() => document.activeElement?.id);
    status = await waitForStatus(page, ['done', 'error', 'cancelled']);
    expect(status.state).toBe('done');
    expect(during).toBe('cancel');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('generate');
    // Escape cancels a run.
    await page.keyboard.press('Control+Enter');
    await page.keyboard.press('Escape');
    await expect(waitForStatus(page, ['done', 'error', 'cancelled']).then((s) => s.state)).resolves.toBe('cancelled');
  });
});
