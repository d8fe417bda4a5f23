import { quote } from '@maskgen/core';
import { ApiError, invalidParam } from './api-error.js';

/** A validated `POST /v1/images/generations` body. */
export interface ImagesRequest {
  prompt: string;
  n: number;
  responseFormat: 'b64_json' | 'url';
  model?: string;
  stream: boolean;
  partialImages: number;
  seed?: number;
  steps?: number;
  guidanceScale?: number;
}

/** What the server allows; each bound keeps one request from holding the process for long. */
export interface RequestLimits {
  /** The only `size` accepted besides `auto`: the model's own resolution (`256x256` for the released models). */
  size: string;
  maxPromptChars: number;
  maxImages: number;
  maxSteps: number;
}

/** OpenAI's fields (those that mean something here) and MaskGen's extensions; anything else is refused. */
const KNOWN = new Set([
  'prompt',
  'n',
  'size',
  'response_format',
  'model',
  'user',
  'stream',
  'partial_images',
  'output_format',
  'seed',
  'steps',
  'guidance_scale',
]);

function int(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidParam(key, `expected an integer in [${min}, ${max}], got ${quote(v)}`);
  return v;
}

function oneOf<T extends string>(body: Record<string, unknown>, key: string, allowed: readonly T[]): T | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T))
    throw invalidParam(key, `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${quote(v)}`);
  return v as T;
}

/**
 * Checks a generations body field by field before any work is queued, so a bad request costs
 * nothing and its error names the field (`param`) and the allowed values, as OpenAI's API does.
 */
export function parseImagesRequest(body: unknown, limits: RequestLimits): ImagesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, `expected a JSON object body, got ${quote(body)}`, 'invalid_request_body');
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!KNOWN.has(key)) throw new ApiError(400, `Unknown parameter: ${quote(key)}. Allowed: ${[...KNOWN].join(', ')}`, 'unknown_parameter', key);
  }
  const prompt = b.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '')
    throw invalidParam('prompt', `expected a non-empty string, got ${quote(prompt)}`, 'missing_required_parameter');
  if (prompt.length > limits.maxPromptChars) {
    throw invalidParam('prompt', `${prompt.length} characters exceeds the limit of ${limits.maxPromptChars}`, 'string_above_max_length');
  }
  const size = oneOf(b, 'size', [limits.size, 'auto']);
  void size;
  oneOf(b, 'output_format', ['png']);
  if (b.user !== undefined && b.user !== null && (typeof b.user !== 'string' || b.user.length > 256))
    throw invalidParam('user', `expected a string of at most 256 characters`);
  if (b.model !== undefined && b.model !== null && typeof b.model !== 'string') throw invalidParam('model', `expected a string, got ${quote(b.model)}`);
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw invalidParam('stream', `expected a boolean, got ${quote(b.stream)}`);
  const guidance = b.guidance_scale;
  if (guidance !== undefined && guidance !== null && (typeof guidance !== 'number' || !Number.isFinite(guidance) || guidance < 0 || guidance > 100)) {
    throw invalidParam('guidance_scale', `expected a number in [0, 100], got ${quote(guidance)}`);
  }
  return {
    prompt,
    n: int(b, 'n', 1, limits.maxImages) ?? 1,
    responseFormat: oneOf(b, 'response_format', ['b64_json', 'url'] as const) ?? 'b64_json',
    model: (b.model as string | null | undefined) ?? undefined,
    stream: b.stream === true,
    partialImages: int(b, 'partial_images', 0, 3) ?? 0,
    seed: int(b, 'seed', 0, Number.MAX_SAFE_INTEGER),
    steps: int(b, 'steps', 1, limits.maxSteps),
    guidanceScale: (guidance as number | null | undefined) ?? undefined,
  };
}
