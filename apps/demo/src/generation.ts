import { drawPixels, showResults } from './image-view.js';
import { renderCacheStatus, resetProgress, showProgress } from './status-views.js';
import type { DoneEvent, GenerateRequest, WorkerEvent } from './protocol.js';
import { setStatus, type Ui } from './ui-elements.js';
import { type WorkerClient, WorkerError } from './worker-client.js';

function describeSettings(s: Record<string, number | string>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** Live preview: the first image's current decode, with its step recorded on the canvas. */
function onWorkerEvent(ui: Ui, e: WorkerEvent): void {
  if (e.type === 'progress') showProgress(ui, e.event);
  else if (e.type === 'preview') {
    if (e.images[0]) drawPixels(ui.preview, e.images[0]);
    ui.preview.dataset.step = String(e.step);
    ui.preview.dataset.total = String(e.total);
    ui.preview.dataset.updates = String(Number(ui.preview.dataset.updates ?? '0') + 1);
  }
}

/**
 * One generation from start to final images, shared by the Generate button and the automation
 * hook so tests drive exactly the path users click: buttons, bars, preview, gallery, status.
 */
export async function runGeneration(ui: Ui, client: WorkerClient, req: Omit<GenerateRequest, 'type' | 'id'>): Promise<DoneEvent> {
  ui.generate.disabled = true;
  ui.cancel.disabled = false;
  resetProgress(ui);
  ui.preview.dataset.updates = '0';
  ui.preview.dataset.step = '0';
  setStatus(ui, 'loading', 'Starting…');
  try {
    const done = await client.generate(req, { onEvent: (e) => onWorkerEvent(ui, e) });
    await showResults(ui.results, done.images, done.seed);
    setStatus(ui, 'done', `Done in ${(done.ms / 1000).toFixed(1)} s — seed ${done.seed}${done.settings ? `, ${describeSettings(done.settings)}` : ''}.`);
    return done;
  } catch (e) {
    if (e instanceof WorkerError && e.code === 'ABORTED') setStatus(ui, 'cancelled', 'Cancelled.');
    else setStatus(ui, 'error', `Error: ${(e as Error).message}`);
    throw e;
  } finally {
    ui.generate.disabled = false;
    ui.cancel.disabled = true;
    void renderCacheStatus(ui, client);
  }
}
