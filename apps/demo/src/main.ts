import { installAutomation } from './automation.js';
import { isolateWithServiceWorker } from './isolation.js';
import { SizeView } from './size-view.js';
import { initCachePanel } from './status-views.js';
import { runGeneration } from './generation.js';
import { applyQuery, backendFromQuery, requestFromForm } from './settings.js';
import { setStatus, uiElements } from './ui-elements.js';
import { WorkerClient } from './worker-client.js';

/**
 * Page entry: fills the form from the query string, starts the pipeline worker and says which
 * backend it got (WebGPU, or WASM with N threads — one thread means the page is not
 * cross-origin isolated), then wires Generate / Cancel / cache purge.
 */
async function main(): Promise<void> {
  const ui = uiElements();
  const query = new URLSearchParams(location.search);
  // Static hosts that cannot send COOP/COEP (GitHub Pages): a service worker adds them and the page reloads once.
  if (await isolateWithServiceWorker(query)) return;
  applyQuery(ui, query);

  // The worker picks its backend once, so another device means a reload with ?device=.
  ui.device.value = query.get('device') ?? 'auto';
  ui.device.addEventListener('change', () => {
    const q = new URLSearchParams(location.search);
    q.set('device', ui.device.value);
    location.search = q.toString();
  });
  let client: WorkerClient;
  try {
    client = new WorkerClient(backendFromQuery(query));
  } catch (e) {
    setStatus(ui, 'error', `Error: ${(e as Error).message}`);
    return;
  }
  ui.backendIsolation.textContent = crossOriginIsolated
    ? `cross-origin isolated${navigator.serviceWorker?.controller ? ' (by the service worker)' : ''}`
    : 'not cross-origin isolated: one thread (serve with COOP/COEP, or allow the service worker)';
  const sizes = new SizeView(ui, client);
  sizes.precisionChosen = query.has('precision');
  void sizes.start(backendFromQuery(query).wasmPaths);
  client.ready.then(
    (info) => {
      ui.backend.dataset.state = 'ready';
      ui.backend.dataset.device = info.device;
      ui.backend.dataset.threads = String(info.threads);
      ui.backendDevice.textContent = info.device === 'webgpu' ? `WebGPU (${info.adapter ?? 'adapter'})` : 'WebAssembly (CPU)';
      ui.backendDevice.title = info.reason ?? '';
      // What was chosen and why, in view: "auto" on a machine without a hardware adapter explains the WASM choice.
      const chosen = info.device === 'webgpu' ? 'WebGPU' : 'WebAssembly';
      ui.backendReason.textContent =
        ui.device.value === 'auto'
          ? `Auto chose ${chosen}${info.reason ? `: ${info.reason}` : ''}.`
          : `You chose ${chosen}${info.adapter ? ` (${info.adapter})` : ''}.`;
      ui.backendThreads.textContent = info.device === 'webgpu' ? `${info.threads} (CPU fallback ops)` : String(info.threads);
      ui.generate.disabled = false;
    },
    (e: Error) => {
      ui.backend.dataset.state = 'error';
      ui.backendDevice.textContent = 'unavailable';
      ui.backendReason.textContent = e.message;
      setStatus(
        ui,
        'error',
        `The ${ui.device.value === 'webgpu' ? 'WebGPU' : ui.device.value} backend could not start here. Choose another “Device” above (WebAssembly works in every browser).`,
        e.message,
      );
      ui.device.focus({ preventScroll: true });
    },
  );
  initCachePanel(ui, client);
  installAutomation(ui, client);

  ui.randomSeed.addEventListener('click', () => {
    ui.seed.value = String(Math.floor(Math.random() * 2 ** 31));
  });
  ui.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    let req;
    try {
      req = requestFromForm(ui);
    } catch (e) {
      setStatus(ui, 'error', (e as Error).message);
      return;
    }
    runGeneration(ui, client, req)
      .catch(() => undefined) // the status line already shows the failure
      .finally(() => void sizes.refresh()); // the cache changed: what is left to download too
  });
  // Cancel stays enabled (and focused) until the run ends, then focus moves to Generate: never to <body>.
  ui.cancel.addEventListener('click', () => client.cancel());
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && !ui.generate.disabled) {
      ev.preventDefault();
      ui.form.requestSubmit(ui.generate);
    } else if (ev.key === 'Escape' && !ui.cancel.disabled) {
      ev.preventDefault();
      client.cancel();
    }
  });
}

void main();
