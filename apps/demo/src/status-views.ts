import type { ProgressEvent } from '@maskgen/core';
import type { CacheStatus } from './protocol.js';
import { setStatus, type Ui } from './ui-elements.js';
import type { WorkerClient } from './worker-client.js';

function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Per-file download totals, so the bar shows the whole model's bytes, not just the current file. */
const files = new Map<string, { loaded: number; total: number | undefined }>();

/** Clears the bars before a new generation (downloads keep their totals: cached files show as done). */
export function resetProgress(ui: Ui): void {
  ui.stepProgress.value = 0;
  ui.stepProgress.max = 1;
  ui.stepText.textContent = '';
}

/**
 * Renders core's ProgressEvent phases (download bytes, session loading, text encoding, sampling
 * steps, decoding) into the two bars and the status line.
 */
export function showProgress(ui: Ui, e: ProgressEvent): void {
  switch (e.phase) {
    case 'download': {
      // Whole downloads report cumulative bytes with a total; range reads report each block alone.
      const prev = files.get(e.file);
      const blockwise = e.total === undefined && prev !== undefined && e.loaded <= prev.loaded;
      files.set(e.file, { loaded: blockwise ? prev.loaded + e.loaded : e.loaded, total: e.total });
      let loaded = 0;
      let total = 0;
      for (const f of files.values()) {
        loaded += f.loaded;
        total += f.total ?? f.loaded;
      }
      if (e.overallTotal !== undefined) {
        loaded = e.overallLoaded ?? loaded;
        total = e.overallTotal;
      }
      ui.downloadProgress.max = Math.max(total, 1);
      ui.downloadProgress.value = loaded;
      ui.downloadText.textContent = `${mb(loaded)} / ${mb(total)} (${e.file})`;
      setStatus(ui, 'loading', `Downloading ${e.file}…`);
      return;
    }
    case 'load':
      setStatus(ui, 'loading', `Loading ${e.what} (${e.done}/${e.total})…`);
      return;
    case 'encode-text':
      setStatus(ui, 'running', 'Encoding the prompt…');
      return;
    case 'sample':
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
  const usage = s.originUsage !== undefined ? ` · origin storage ${mb(s.originUsage)}` : '';
  ui.cacheStatus.textContent = `${s.entries} files from ${s.repos} repos, ${mb(s.bytes)}${usage}`;
  ui.cacheStatus.dataset.entries = String(s.entries);
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
