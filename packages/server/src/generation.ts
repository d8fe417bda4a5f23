import { isMaskgenError } from '@maskgen/core';
import { encodePng } from '@maskgen/image';
import type { GenerateResult, RgbaImage, TextToImage } from '@maskgen/pipeline';
import { ApiError } from './api-error.js';
import type { ImagesRequest } from './images-request.js';

/** Why a generation was stopped early; each maps to its own response and metric label. */
export type StopReason = 'client' | 'timeout' | 'shutdown';

/** One generation's cancellation: the client leaving, its timeout, or a drain running out of time. */
export class JobControl {
  readonly controller = new AbortController();
  reason: StopReason | undefined;

  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller.abort(new Error(`generation stopped: ${reason}`));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The HTTP error for a stopped job (the client that left never reads it). */
  error(): ApiError {
    if (this.reason === 'timeout') return new ApiError(504, "the generation ran past the server's per-request timeout", 'timeout');
    if (this.reason === 'shutdown') return new ApiError(503, 'the server is shutting down', 'shutting_down');
    return new ApiError(499, 'the client closed the request', 'client_closed');
  }
}

/** Callbacks for a streamed request; none for a plain JSON one. */
export interface GenerationEvents {
  onStep?(step: number, total: number): void;
  onPartial?(index: number, images: RgbaImage[]): void;
}

/** Steps (1-based) after which the `count` partial images are sent, evenly spread before the last step. */
export function partialSteps(count: number, total: number): number[] {
  return Array.from({ length: count }, (_, k) => Math.max(1, Math.ceil((total * (k + 1)) / (count + 1))));
}

/** Runs the model for a validated request; errors come back as ApiErrors. */
export async function runGeneration(t2i: TextToImage, req: ImagesRequest, control: JobControl, events: GenerationEvents = {}): Promise<GenerateResult> {
  let sent = 0;
  let done = false;
  let thresholds: number[] | undefined;
  try {
    const result = await t2i.generate([req.prompt], {
      seed: req.seed ?? Math.floor(Math.random() * 2 ** 31),
      steps: req.steps,
      guidance: req.guidanceScale,
      numImages: req.n,
      signal: control.signal,
      onProgress: (e) => {
        if (e.phase === 'sample') events.onStep?.(e.step, e.total);
      },
      previewImages: req.partialImages > 0 && events.onPartial !== undefined,
      onPreview: (p) => {
        if (done || !p.images || !events.onPartial) return;
        thresholds ??= partialSteps(req.partialImages, p.total);
        // Previews decode asynchronously; one late past its step still counts once, none after the final image.
        if (sent < thresholds.length && p.step >= thresholds[sent] && p.step < p.total) events.onPartial(sent++, p.images);
      },
    });
    return result;
  } catch (e) {
    if (control.reason) throw control.error();
    if (isMaskgenError(e, 'INVALID_ARGUMENT')) throw new ApiError(400, e.message, 'invalid_value');
    throw e;
  } finally {
    done = true;
  }
}

/** A PNG that carries its prompt and settings (tEXt), like the CLI's files. */
export function toPng(image: RgbaImage, prompt: string, result: GenerateResult, modelId: string): Uint8Array {
  const settings = Object.fromEntries(Object.entries(result.settings).map(([k, v]) => [k, String(v)]));
  return encodePng(image, { prompt, ...settings, seed: String(result.seed), model: modelId, Software: 'maskgen.js' });
}
