import { installAutomation } from './automation.js';
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
function main(): void {
  const ui = uiElements();
  const query = new URLSearchParams(location.search);
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
  ui.backendIsolation.textContent = crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated (no threads: serve with COOP/COEP)';
  client.ready.then(
    (info) => {
      ui.backend.dataset.state = 'ready';
      ui.backend.dataset.device = info.device;
      ui.backend.dataset.threads = String(info.threads);
      ui.backendDevice.textContent = info.device === 'webgpu' ? `WebGPU (${info.adapter ?? 'adapter'})` : 'WebAssembly (CPU)';
      ui.backendDevice.title = info.reason ?? '';
      ui.backendThreads.textContent = info.device === 'webgpu' ? `${info.threads} (CPU fallback ops)` : String(info.threads);
      ui.generate.disabled = false;
    },
    (e: Error) => {
      ui.backend.dataset.state = 'error';
      ui.backendDevice.textContent = 'unavailable';
      setStatus(ui, 'error', `Error: ${e.message}`);
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
      setStatus(ui, 'error', `Error: ${(e as Error).message}`);
      return;
    }
    runGeneration(ui, client, req).catch(() => undefined); // the status line already shows the failure
  });
  ui.cancel.addEventListener('click', () => {
    ui.cancel.disabled = true;
    client.cancel();
  });
}

main();
