/**
 * Typed handles on the page's controls, looked up once; a missing id fails at startup with the id
 * in the message rather than as a null dereference in some later handler.
 */
function $<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`demo page: element #${id} missing or not a ${type.name}`);
  return el;
}

/** Every element the demo reads or updates. */
export function uiElements() {
  return {
    backend: $('backend', HTMLElement),
    backendDevice: $('backend-device', HTMLElement),
    backendThreads: $('backend-threads', HTMLElement),
    backendIsolation: $('backend-isolation', HTMLElement),
    device: $('device', HTMLSelectElement),
    backendReason: $('backend-reason', HTMLElement),
    form: $('form', HTMLFormElement),
    prompt: $('prompt', HTMLTextAreaElement),
    model: $('model', HTMLSelectElement),
    customModelRow: $('custom-model-row', HTMLElement),
    customModel: $('custom-model', HTMLInputElement),
    seed: $('seed', HTMLInputElement),
    randomSeed: $('random-seed', HTMLButtonElement),
    steps: $('steps', HTMLInputElement),
    guidance: $('guidance', HTMLInputElement),
    hub: $('hub', HTMLInputElement),
    tokenizer: $('tokenizer', HTMLInputElement),
    textEncoder: $('text-encoder', HTMLInputElement),
    clipActivation: $('clip-activation', HTMLSelectElement),
    precision: $('precision', HTMLSelectElement),
    token: $('token', HTMLInputElement),
    source: $('source', HTMLDetailsElement),
    modelSize: $('model-size', HTMLElement),
    statusDetail: $('status-detail', HTMLElement),
    previewFigure: $('preview-figure', HTMLElement),
    cacheList: $('cache-list', HTMLElement),
    generate: $('generate', HTMLButtonElement),
    cancel: $('cancel', HTMLButtonElement),
    downloadProgress: $('download-progress', HTMLProgressElement),
    downloadText: $('download-text', HTMLElement),
    stepProgress: $('step-progress', HTMLProgressElement),
    stepText: $('step-text', HTMLElement),
    status: $('status', HTMLElement),
    preview: $('preview', HTMLCanvasElement),
    results: $('results', HTMLElement),
    cacheStatus: $('cache-status', HTMLElement),
    purge: $('purge', HTMLButtonElement),
  };
}

/** The element bag passed around the UI modules. */
export type Ui = ReturnType<typeof uiElements>;

/** Shows a state in the status line; `data-state` lets tests and CSS follow it. */
export function setStatus(ui: Ui, state: 'idle' | 'loading' | 'running' | 'done' | 'cancelled' | 'error', text: string, detail = ''): void {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
  ui.statusDetail.textContent = detail;
  ui.statusDetail.hidden = detail === '';
}
