import { type ErrorTarget, friendlyError, retryLine } from './friendly-errors.js';
import { drawPixels, showResults } from './image-view.js';
import { renderCacheStatus, resetProgress, showPlan, showProgress } from './status-views.js';
import type { DoneEvent, GenerateRequest, WorkerEvent } from './protocol.js';
import { setStatus, type Ui } from './ui-elements.js';
import { type WorkerClient, WorkerError } from './worker-client.js';

/** "Done in 3.2 s · seed 42 · 16 steps · guidance 12": the settings people set, in words. */
export function doneLine(done: DoneEvent): string {
  const s = done.settings ?? {};
  const parts = [`Done in ${(done.ms / 1000).toFixed(1)} s`, `seed ${done.seed}`];
  if (s.steps !== undefined) parts.push(`${s.steps} steps`);
  if (s.guidance !== undefined) parts.push(`guidance ${s.guidance}`);
  const n = Number(s.numImages ?? done.images.length);
  if (n > 1) parts.push(`${n} images`);
  if (typeof s.rng === 'string') parts.push(s.rng);
  return `${parts.join(' · ')}.`;
}

/** Live preview: the first image's current decode, with its step recorded on the canvas. */
function onWorkerEvent(ui: Ui, e: WorkerEvent, hub: string): void {
  if (e.type === 'progress') showProgress(ui, e.event);
  else if (e.type === 'plan') showPlan(ui, e.plan);
  else if (e.type === 'retry') {
    setStatus(ui, 'loading', retryLine(hub, e.retry));
    ui.status.dataset.retries = String(e.retry.attempt);
  } else if (e.type === 'preview') {
    if (e.images[0]) drawPixels(ui.preview, e.images[0]);
    ui.preview.dataset.step = String(e.step);
    ui.preview.dataset.total = String(e.total);
    ui.preview.dataset.updates = String(Number(ui.preview.dataset.updates ?? '0') + 1);
    ui.preview.setAttribute('aria-label', `Preview at step ${e.step} of ${e.total}`);
  }
}

/** Opens "Model source" when the control lives there, and puts focus on the control that fixes the error. */
function pointTo(ui: Ui, target: ErrorTarget | undefined): void {
  if (!target) return;
  const el = {
    hub: ui.hub,
    'custom-model': ui.model.value === '__custom__' ? ui.customModel : ui.model,
    tokenizer: ui.tokenizer,
    token: ui.token,
    precision: ui.precision,
  }[target];
  if (ui.source.contains(el)) ui.source.open = true;
  el.focus({ preventScroll: true });
}

/** Keeps focus on a live control as buttons disable themselves (a disabled focused button drops focus to <body>). */
function moveFocus(from: HTMLButtonElement, to: HTMLButtonElement): void {
  if (document.activeElement === from || document.activeElement === document.body) to.focus({ preventScroll: true });
}

/**
 * One generation from start to final images, shared by the Generate button and the automation
 * hook so tests drive exactly the path users click: buttons, bars, preview, gallery, status.
 */
export async function runGeneration(ui: Ui, client: WorkerClient, req: Omit<GenerateRequest, 'type' | 'id'>): Promise<DoneEvent> {
  ui.cancel.disabled = false;
  moveFocus(ui.generate, ui.cancel);
  ui.generate.disabled = true;
  resetProgress(ui);
  ui.preview.dataset.updates = '0';
  ui.preview.dataset.step = '0';
  ui.previewFigure.hidden = false;
  ui.results.replaceChildren();
  delete ui.status.dataset.retries;
  delete ui.status.dataset.kind;
  setStatus(ui, 'loading', 'Asking the hub for sizes…');
  try {
    const done = await client.generate(req, { onEvent: (e) => onWorkerEvent(ui, e, req.model.hub) });
    // The result replaces the preview (the last preview is the same image), so the download link stays close.
    ui.previewFigure.hidden = true;
    await showResults(ui.results, done.images, done.seed, req.prompts);
    setStatus(ui, 'done', doneLine(done));
    ui.results.querySelector('a.download')?.scrollIntoView({ block: 'nearest' });
    return done;
  } catch (e) {
    if (e instanceof WorkerError && e.code === 'ABORTED') setStatus(ui, 'cancelled', 'Cancelled.');
    else {
      const f = friendlyError((e as WorkerError).code, (e as Error).message, req.model.hub);
      setStatus(ui, 'error', f.text, (e as Error).message);
      ui.status.dataset.kind = f.kind;
      ui.generate.disabled = false;
      pointTo(ui, f.target);
    }
    throw e;
  } finally {
    ui.generate.disabled = false;
    moveFocus(ui.cancel, ui.generate);
    ui.cancel.disabled = true;
    void renderCacheStatus(ui, client);
  }
}
