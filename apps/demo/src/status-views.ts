import type { ProgressEvent } from '@maskgen/core';
import type { CacheStatus, ModelPlan } from './protocol.js';
import { size } from './size-view.js';
import { setStatus, type Ui } from './ui-elements.js';
import type { WorkerClient } from './worker-client.js';

/** Per-file bytes of this run's downloads. */
const files = new Map<string, number>();
/** The run's plan: what is left to download (known before the first byte), and which files are read by ranges. */
let planned: { total: number } | undefined;

/** Clears both bars before a new generation. */
export function resetProgress(ui: Ui): void {
  ui.stepProgress.value = 0;
  ui.stepProgress.max = 1;
  ui.stepText.textContent = '';
  ui.downloadProgress.value = 0;
  ui.downloadProgress.max = 1;
  ui.downloadText.textContent = '';
  files.clear();
  planned = undefined;
}

/**
 * Every file is in by the time the prompt is encoded. CLIP's planned bytes cover all blocks of its text
 * tower, an upper bound (the loader may skip a tensor), so the bar ends at what really came.
 */
function finishDownload(ui: Ui): void {
  if (!planned || planned.total === 0) return;
  let loaded = 0;
  for (const n of files.values()) loaded += n;
  ui.downloadProgress.max = Math.max(loaded, 1);
  ui.downloadProgress.value = Math.max(loaded, 1);
  ui.downloadText.textContent = loaded === 0 ? 'nothing to download: all in the cache' : `${size(loaded)} downloaded (planned ${size(planned.total)})`;
  planned = undefined;
  files.clear();
}

/** The hub's sizes arrived: the bar's total is the whole download from now on (CLIP's range blocks included). */
export function showPlan(ui: Ui, plan: ModelPlan): void {
  planned = { total: plan.downloadBytes };
  ui.downloadProgress.max = Math.max(plan.downloadBytes, 1);
  ui.downloadProgress.value = plan.downloadBytes === 0 ? 1 : 0;
  ui.downloadText.textContent = plan.downloadBytes === 0 ? 'nothing to download: all in the cache' : `0 / ${size(plan.downloadBytes)}`;
}

/**
 * Renders core's ProgressEvent phases (download bytes, session loading, text encoding, sampling
 * steps, decoding) into the two bars and the status line.
 */
export function showProgress(ui: Ui, e: ProgressEvent): void {
  switch (e.phase) {
    case 'download': {
      // Whole downloads and range reads (CLIP) both report the bytes fetched so far for the file.
      files.set(e.file, e.loaded);
      let loaded = 0;
      for (const n of files.values()) loaded += n;
      // Without a plan (offline, sizes unknown) the total is what has been seen so far, and says so.
      const total = Math.max(planned?.total ?? 0, loaded);
      ui.downloadProgress.max = Math.max(total, 1);
      ui.downloadProgress.value = loaded;
      ui.downloadText.textContent = `${size(loaded)} / ${planned ? '' : 'at least '}${size(total)} — ${e.file}`;
      setStatus(ui, 'loading', `Downloading ${e.file}…`);
      return;
    }
    case 'load':
      setStatus(ui, 'loading', `Loading ${e.what} (${e.done}/${e.total})…`);
      return;
    case 'encode-text':
      finishDownload(ui);
      setStatus(ui, 'running', 'Encoding the prompt…');
      return;
    case 'sample':
      finishDownload(ui);
      ui.stepProgress.max = e.total;
      ui.stepProgress.value = e.step;
      ui.stepText.textContent = `step ${e.step} / ${e.total}`;
      setStatus(ui, 'running', `Sampling step ${e.step} of ${e.total}…`);
      return;
    case 'decode':
      setStatus(ui, 'running', `Decoding (${e.done}/${e.total})…`);
      return;
  }
}

function show(ui: Ui, s: CacheStatus): void {
  const usage = s.originUsage !== undefined ? ` · this site uses ${size(s.originUsage)} of storage` : '';
  const packs = s.packs.entries ? ` · ${size(s.packs.bytes)} of int8 weights ready for the next load (${s.packs.entries} models)` : '';
  ui.cacheStatus.textContent =
    s.entries === 0 ? `empty${usage}` : `${size(s.bytes)} in ${s.entries} files from ${s.repos} repos — these models work offline${packs}${usage}`;
  ui.cacheStatus.dataset.entries = String(s.entries);
  ui.cacheStatus.dataset.packs = String(s.packs.entries);
  ui.cacheStatus.dataset.packHits = String(s.packs.hits);
  ui.cacheStatus.dataset.bytes = String(s.bytes);
  ui.cacheList.replaceChildren(
    ...s.byRepo.map((r) => {
      const li = document.createElement('li');
      li.textContent = `${r.repo} — ${size(r.bytes)} (${r.entries} ${r.entries === 1 ? 'file' : 'files or blocks'})`;
      return li;
    }),
  );
}

/**
 * The "Model cache" line: refreshed at start and after every generation (downloads may have
 * added files), and after Purge. `data-entries` lets tests follow it.
 */
export async function renderCacheStatus(ui: Ui, client: WorkerClient, purge = false): Promise<void> {
  try {
    show(ui, await client.cacheStatus(purge));
  } catch (e) {
    ui.cacheStatus.textContent = `${purge ? 'purge failed' : 'unavailable'} (${(e as Error).message})`;
  }
}

/** Wires the purge button: every cached model file of this origin is deleted. */
export function initCachePanel(ui: Ui, client: WorkerClient): void {
  ui.purge.addEventListener('click', async () => {
    ui.purge.disabled = true;
    try {
      await renderCacheStatus(ui, client, true);
    } finally {
      ui.purge.disabled = false;
    }
  });
  void renderCacheStatus(ui, client);
}
