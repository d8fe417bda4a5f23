import { DEFAULT_GENERATOR, MODEL_ZOO } from '@maskgen/pipeline';
import type { BackendRequest, GenerateRequest, ModelRequest } from './protocol.js';
import type { Ui } from './ui-elements.js';

/** Where models come from unless `?hub=` or the field says otherwise. */
export const DEFAULT_HUB = 'https://huggingface.co';
const CUSTOM = '__custom__';

/**
 * The query string configures everything a test or a shared link needs: `hub`, `model`,
 * `tokenizer`, `text`, `act`, `seed`, `steps`, `guidance`, `prompt`, `device`, `threads`.
 */
export function applyQuery(ui: Ui, q: URLSearchParams): void {
  for (const e of MODEL_ZOO) {
    if (e.kind === 'generator') ui.model.add(new Option(modelLabel(e.id), e.id, false, e.id === DEFAULT_GENERATOR));
  }
  ui.model.add(new Option('custom…', CUSTOM));
  const model = q.get('model');
  if (model && MODEL_ZOO.some((e) => e.kind === 'generator' && e.id === model)) ui.model.value = model;
  else if (model) {
    ui.model.value = CUSTOM;
    ui.customModel.value = model;
  }
  ui.customModelRow.hidden = ui.model.value !== CUSTOM;
  ui.model.addEventListener('change', () => (ui.customModelRow.hidden = ui.model.value !== CUSTOM));
  ui.hub.value = q.get('hub') ?? DEFAULT_HUB;
  const fields: [string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement][] = [
    ['tokenizer', ui.tokenizer],
    ['text', ui.textEncoder],
    ['act', ui.clipActivation],
    ['precision', ui.precision],
    ['seed', ui.seed],
    ['steps', ui.steps],
    ['guidance', ui.guidance],
    ['prompt', ui.prompt],
  ];
  for (const [key, el] of fields) {
    const v = q.get(key);
    if (v !== null) el.value = v;
  }
}

/** "MaskGen-VQ L" for turkeyju/generator_maskgen_vq_l; other ids as they are. */
export function modelLabel(id: string): string {
  const m = /generator_maskgen_(vq|kl)_(l|xl)$/.exec(id);
  return m ? `MaskGen-${m[1].toUpperCase()} ${m[2].toUpperCase()}` : id;
}

/** The backend the query asks for (`device=auto|wasm|webgpu`, `threads=N`), with ORT served by this app. */
export function backendFromQuery(q: URLSearchParams): BackendRequest {
  const device = q.get('device') ?? 'auto';
  if (device !== 'auto' && device !== 'wasm' && device !== 'webgpu') {
    throw new Error(`?device=${device}: allowed values are auto, wasm, webgpu`);
  }
  const threads = q.has('threads') ? Number(q.get('threads')) : undefined;
  return { device, ...(threads ? { threads } : {}), wasmPaths: new URL(`${import.meta.env.BASE_URL}ort/`, location.href).href };
}

function optionalNumber(el: HTMLInputElement, name: string, integer: boolean): number | undefined {
  const raw = el.value.trim();
  if (raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new Error(`${name}: expected a non-negative ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return v;
}

/** The model request of the form (the picker, or the custom id when "custom…" is chosen). */
export function modelFromForm(ui: Ui): ModelRequest {
  const modelId = ui.model.value === CUSTOM ? ui.customModel.value.trim() : ui.model.value;
  if (!/^[\w.-]+\/[\w.-]+$/.test(modelId)) throw new Error(`Custom model id: expected "owner/name" as on the hub, got "${modelId}"`);
  const hub = ui.hub.value.trim() || DEFAULT_HUB;
  const act = ui.clipActivation.value;
  return {
    hub: new URL(hub, location.href).href,
    modelId,
    ...(ui.tokenizer.value.trim() ? { tokenizer: ui.tokenizer.value.trim() } : {}),
    ...(ui.textEncoder.value.trim() ? { textEncoder: ui.textEncoder.value.trim() } : {}),
    ...(act === 'gelu' || act === 'quick-gelu' ? { clipActivation: act } : {}),
    ...(ui.precision.value === 'int8' ? { precision: 'int8' as const } : {}),
    ...(ui.token.value.trim() ? { token: ui.token.value.trim() } : {}),
  };
}

/** A generation request from the form; throws with the offending field on bad input. */
export function requestFromForm(ui: Ui): Omit<GenerateRequest, 'type' | 'id'> {
  const prompt = ui.prompt.value.trim();
  const seed = optionalNumber(ui.seed, 'seed', true) ?? 0;
  const steps = optionalNumber(ui.steps, 'steps', true);
  const guidance = optionalNumber(ui.guidance, 'guidance', false);
  return {
    model: modelFromForm(ui),
    prompts: [prompt],
    seed,
    ...(steps !== undefined ? { steps } : {}),
    ...(guidance !== undefined ? { guidance } : {}),
    previewImages: true,
  };
}
