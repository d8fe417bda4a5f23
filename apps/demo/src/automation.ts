import { runGeneration } from './generation.js';
import type { BackendInfo, GenerateRequest, ReplayDraw, SelfTestResult } from './protocol.js';
import { requestFromForm } from './settings.js';
import type { Ui } from './ui-elements.js';
import type { WorkerClient } from './worker-client.js';

/** A recorded draw as it crosses `page.evaluate`: raw little-endian bytes in base64. */
export interface EncodedDraw {
  kind: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  base64: string;
}

/** Final images as they cross `page.evaluate` (typed arrays do not survive JSON). */
export interface EncodedResult {
  images: { width: number; height: number; base64: string }[];
  seed: number;
  tokens: number[];
  settings: Record<string, number | string>;
}

/** Fields a script may set on top of the form's values. */
export interface GenerateOverrides {
  prompts?: string[];
  seed?: number;
  steps?: number;
  guidance?: number;
  numImages?: number;
  replay?: EncodedDraw[];
}

/**
 * `window.maskgenDemo`: what browser tests (and curious users in the console) drive. It runs the
 * same code path as the Generate button, with extra fields the form has no place for: several
 * prompts at once and a golden case's recorded draws.
 */
export interface DemoHook {
  ready: Promise<BackendInfo>;
  selfTest(): Promise<SelfTestResult>;
  generate(overrides?: GenerateOverrides): Promise<EncodedResult>;
  cancel(): void;
}

declare global {
  interface Window {
    maskgenDemo?: DemoHook;
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function decodeDraw(d: EncodedDraw): ReplayDraw {
  const bin = atob(d.base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const data = d.dtype === 'float32' ? new Float32Array(bytes.buffer) : new Int32Array(bytes.buffer);
  return { kind: d.kind, shape: d.shape, dtype: d.dtype, data };
}

/** Installs `window.maskgenDemo`. */
export function installAutomation(ui: Ui, client: WorkerClient): void {
  window.maskgenDemo = {
    ready: client.ready,
    selfTest: () => client.selfTest(),
    cancel: () => client.cancel(),
    async generate(o = {}) {
      const req: Omit<GenerateRequest, 'type' | 'id'> = {
        ...requestFromForm(ui),
        ...(o.prompts ? { prompts: o.prompts } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.steps !== undefined ? { steps: o.steps } : {}),
        ...(o.guidance !== undefined ? { guidance: o.guidance } : {}),
        ...(o.numImages !== undefined ? { numImages: o.numImages } : {}),
        ...(o.replay ? { replay: o.replay.map(decodeDraw) } : {}),
      };
      const done = await runGeneration(ui, client, req);
      return {
        images: done.images.map((i) => ({ width: i.width, height: i.height, base64: toBase64(i.data) })),
        seed: done.seed,
        tokens: done.tokens,
        settings: done.settings,
      };
    },
  };
}
