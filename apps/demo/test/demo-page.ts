import type { Page } from 'playwright-core';

/** One observed preview update: its step and a hash of the canvas pixels. */
export interface PreviewSnapshot {
  step: number;
  total: number;
  hash: string;
}

/**
 * Records every live-preview update (the page bumps `data-updates` after drawing each step) with a
 * hash of the drawn pixels.
 */
export async function watchPreviews(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __previews: unknown[]; __observer?: MutationObserver };
    w.__observer?.disconnect();
    w.__previews = [];
    const canvas = document.getElementById('preview') as HTMLCanvasElement;
    let last = 0;
    w.__observer = new MutationObserver(() => {
      const n = Number(canvas.dataset.updates);
      if (n === 0 || n === last) return; // a new run resets the counter to 0
      last = n;
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let h = 2166136261;
      for (const v of px) h = Math.imul(h ^ v, 16777619) >>> 0;
      w.__previews.push({ step: Number(canvas.dataset.step), total: Number(canvas.dataset.total), hash: `${canvas.width}x${canvas.height}:${h.toString(16)}` });
    });
    w.__observer.observe(canvas, { attributes: true, attributeFilter: ['data-updates'] });
  });
}

/** One state of the download bar and its text, as a run changed them. */
export interface DownloadSnapshot {
  value: number;
  max: number;
  text: string;
}

/** Records every change of the download bar (`value`/`max` reflect to attributes) and of its text line. */
export async function watchDownload(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __downloads: unknown[]; __downloadObserver?: MutationObserver };
    w.__downloadObserver?.disconnect();
    w.__downloads = [];
    const bar = document.getElementById('download-progress') as HTMLProgressElement;
    const text = document.getElementById('download-text')!;
    w.__downloadObserver = new MutationObserver(() => w.__downloads.push({ value: bar.value, max: bar.max, text: text.textContent ?? '' }));
    w.__downloadObserver.observe(bar, { attributes: true, attributeFilter: ['value', 'max'] });
    w.__downloadObserver.observe(text, { childList: true, characterData: true, subtree: true });
  });
}

/** The download bar states recorded since watchDownload. */
export function downloads(page: Page): Promise<DownloadSnapshot[]> {
  return page.evaluate(() => (window as unknown as { __downloads: DownloadSnapshot[] }).__downloads);
}

/**
 * Clicks Cancel as the step bar reaches `step`, in the same task that renders the step, so the
 * cancel lands mid-run (previews lag the steps; progress events do not).
 */
export async function cancelAtStep(page: Page, step: number): Promise<void> {
  await page.evaluate((at) => {
    const bar = document.getElementById('step-progress') as HTMLProgressElement;
    const obs = new MutationObserver(() => {
      if (bar.value < at) return;
      obs.disconnect();
      (window as unknown as { __cancelledAt: number }).__cancelledAt = bar.value;
      (document.getElementById('cancel') as HTMLButtonElement).click();
    });
    obs.observe(bar, { attributes: true, attributeFilter: ['value'] });
  }, step);
}

/** The hash watchPreviews records (FNV-1a over the RGBA bytes), for pixels read on the Node side. */
export function pixelHash(img: { width: number; height: number; data: Uint8Array }): string {
  let h = 2166136261;
  for (const v of img.data) h = Math.imul(h ^ v, 16777619) >>> 0;
  return `${img.width}x${img.height}:${h.toString(16)}`;
}

/** The previews recorded since watchPreviews. */
export function previews(page: Page): Promise<PreviewSnapshot[]> {
  return page.evaluate(() => (window as unknown as { __previews: PreviewSnapshot[] }).__previews);
}

/** RGBA bytes of a canvas (drawn 1:1, so these are the pipeline's bytes). */
export async function canvasPixels(page: Page, selector: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const r = await page.$eval(selector, (c) => {
    const canvas = c as HTMLCanvasElement;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let s = '';
    for (const v of px) s += String.fromCharCode(v);
    return { width: canvas.width, height: canvas.height, base64: btoa(s) };
  });
  return { width: r.width, height: r.height, data: new Uint8Array(Buffer.from(r.base64, 'base64')) };
}

/** The bytes behind a download link (a blob: URL of the PNG). */
export async function downloadBytes(page: Page, selector: string): Promise<{ name: string; bytes: Uint8Array }> {
  const r = await page.$eval(selector, async (a) => {
    const link = a as HTMLAnchorElement;
    const buf = new Uint8Array(await (await fetch(link.href)).arrayBuffer());
    let s = '';
    for (const v of buf) s += String.fromCharCode(v);
    return { name: link.download, base64: btoa(s) };
  });
  return { name: r.name, bytes: new Uint8Array(Buffer.from(r.base64, 'base64')) };
}

/** Waits for the status line to reach a final state and returns it (with its text for messages). */
export async function waitForStatus(page: Page, states: string[], timeout = 60_000): Promise<{ state: string; text: string }> {
  await page.waitForFunction((s) => s.includes(document.getElementById('status')?.dataset.state ?? ''), states, { timeout });
  return page.$eval('#status', (el) => ({ state: (el as HTMLElement).dataset.state ?? '', text: el.textContent ?? '' }));
}
