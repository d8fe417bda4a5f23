import { friendlyError, retryLine } from './friendly-errors.js';
import type { ModelPlan, ModelRequest, WorkerEvent } from './protocol.js';
import { modelFromForm, modelLabel } from './settings.js';
import type { Ui } from './ui-elements.js';
import type { WorkerClient } from './worker-client.js';

/** Sizes in the units people read on download pages (decimal, like the hub shows them). */
export function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(0, Math.round(bytes / 1e3))} kB`;
}

/** The line under the picker: what the chosen model downloads and needs, and whether it fits a tab. */
function describe(plan: ModelPlan, m: ModelRequest, ortBytes: number | undefined): string {
  const precision = m.precision ?? 'float32';
  const cached = plan.totalBytes - plan.downloadBytes;
  const dl =
    plan.downloadBytes === 0
      ? `nothing left to download (all ${size(plan.totalBytes)} cached)`
      : `${size(plan.downloadBytes)} to download${cached > 0 ? ` (${size(cached)} cached)` : ''}`;
  const ort = ortBytes ? ` + ${size(ortBytes)} ONNX Runtime (once)` : '';
  const fit = plan.fits
    ? `needs ≈${size(plan.memoryBytes)} of memory (${precision})`
    : `needs ${size(plan.largest.bytes)} for one model in ${precision}, over the ${size(plan.limitBytes)} a WebAssembly tab can hold: choose int8 under “Weights”`;
  const tok = plan.tokenizerKnown ? '' : ' (tokenizer not counted: set “Tokenizer repo”)';
  return `${modelLabel(m.modelId)} — ${dl}${ort}; ${fit}${tok}.`;
}

/**
 * Shows sizes before anything downloads: the chosen model's line (updated as the form changes) and each
 * picker entry's download size. Picks int8 by default when float32 would not fit — unless the person
 * chose the precision themselves.
 */
export class SizeView {
  private seq = 0;
  private ortBytes: number | undefined;
  /** Set once the person (or the query) chose a precision: defaults never override a choice. */
  precisionChosen = false;

  constructor(
    private readonly ui: Ui,
    private readonly client: WorkerClient,
  ) {
    const refresh = () => void this.refresh();
    for (const el of [ui.model, ui.precision]) el.addEventListener('change', refresh);
    for (const el of [ui.customModel, ui.hub, ui.tokenizer, ui.textEncoder, ui.token]) el.addEventListener('change', refresh);
    ui.precision.addEventListener('change', () => (this.precisionChosen = true));
  }

  /** The ORT wasm size, from a HEAD to this site (it is part of the first visit's download). */
  private async ort(wasmPaths: string): Promise<void> {
    const res = await fetch(`${wasmPaths}ort-wasm-simd-threaded.jsep.wasm`, { method: 'HEAD' }).catch(() => undefined);
    const n = Number(res?.headers.get('content-length'));
    if (n > 0) this.ortBytes = n;
  }

  async start(wasmPaths: string): Promise<void> {
    await this.ort(wasmPaths);
    // An unreachable hub already said so once; asking again for every entry would only repeat its retries.
    if (await this.refresh()) await this.labelOptions();
  }

  /** Plans the form's model; on float32 over the limit (and no precision chosen) switches to int8 and says why. */
  async refresh(): Promise<ModelPlan | undefined> {
    const id = ++this.seq;
    const el = this.ui.modelSize;
    let m: ModelRequest;
    try {
      m = modelFromForm(this.ui);
    } catch {
      el.textContent = '';
      el.dataset.state = 'none';
      return undefined;
    }
    el.dataset.state = 'loading';
    delete el.dataset.retries;
    delete el.dataset.kind;
    el.textContent = `${modelLabel(m.modelId)} — asking the hub for sizes…`;
    // A slow or dead hub is retried in the worker: say so as it happens, not "asking…" for seconds.
    const hub = m.hub;
    const onEvent = (e: WorkerEvent) => {
      if (e.type !== 'retry' || id !== this.seq) return;
      el.textContent = `${modelLabel(m.modelId)} — size unknown yet. ${retryLine(hub, e.retry)}`;
      el.dataset.retries = String(e.retry.attempt);
    };
    try {
      let plan = await this.client.plan(m, { onEvent });
      let note = '';
      if (!plan.fits && !this.precisionChosen && m.precision !== 'int8') {
        const q8 = await this.client.plan({ ...m, precision: 'int8' }, { onEvent });
        if (q8.fits && id === this.seq) {
          this.ui.precision.value = 'int8';
          note = ` int8 chosen: float32 needs ${size(plan.largest.bytes)} for one model, over the ${size(plan.limitBytes)} limit.`;
          plan = q8;
          m = { ...m, precision: 'int8' };
        }
      }
      if (id !== this.seq) return plan;
      el.textContent = describe(plan, m, this.ortBytes) + note;
      el.dataset.state = plan.fits ? 'ok' : 'too-big';
      el.dataset.download = String(plan.downloadBytes);
      return plan;
    } catch (e) {
      if (id !== this.seq) return undefined;
      const f = friendlyError((e as { code?: string }).code, (e as Error).message, m.hub);
      el.textContent = `${modelLabel(m.modelId)} — size unknown. ${f.text}`;
      el.dataset.state = 'error';
      el.dataset.kind = f.kind;
      return undefined;
    }
  }

  /** Adds each zoo entry's download size to its picker label ("MaskGen-VQ L — 1.2 GB"), one model at a time. */
  private async labelOptions(): Promise<void> {
    const hub = (() => {
      try {
        return modelFromForm(this.ui).hub;
      } catch {
        return undefined;
      }
    })();
    if (!hub) return;
    for (const opt of [...this.ui.model.options]) {
      if (!opt.value.includes('/')) continue;
      try {
        const plan = await this.client.plan({ hub, modelId: opt.value });
        opt.textContent = `${modelLabel(opt.value)} — ${size(plan.totalBytes)}${plan.fits ? '' : ' (int8)'}`;
      } catch {
        opt.textContent = `${modelLabel(opt.value)} — not on this hub`;
      }
    }
    // Tests (and anything that must not race these background requests) wait for this.
    this.ui.model.dataset.sizes = 'done';
  }
}
