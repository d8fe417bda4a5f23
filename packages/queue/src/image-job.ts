import { MaskgenError } from '@maskgen/core';
import type { PromptItem } from '@maskgen/pipeline';
import { createHash } from 'node:crypto';

/**
 * The models a job must run on: hub refs pinned to the commit they pointed to when the job was queued
 * (`owner/name@<40 hex>`, or `local:<folder>`), the tokenizer and text encoder written out (also when
 * defaulted; '' = decided by the generator's config), and the weight precision. A worker loads one
 * spec and refuses jobs of another, so an image never comes from other models, or other commits of
 * them, than those it was queued for.
 */
export interface ModelSpec {
  generator: string;
  tokenizer: string;
  textEncoder: string;
  precision: 'float32' | 'int8';
  /** An explicit generator / tokenizer config: `<abs path>#sha256=<hex of its bytes>` (absent: the model's own). */
  config?: string;
  tokenizerConfig?: string;
}

/** Sampling settings that travel with every job (unset = the model's default, the same everywhere). */
export interface JobSettings {
  steps?: number;
  guidance?: number;
  temperature?: number;
  aestheticScore?: number;
}

/** Everything a worker needs to make one image and nothing machine-specific (no paths). */
export interface ImageJobData {
  item: PromptItem;
  models: ModelSpec;
  settings: JobSettings;
}

/** One line of the canonical form: keys sorted, undefined written as null, so equal content hashes equally. */
function canonical(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The job id: a SHA-256 of the prompt, seed, output name, model spec and every sampling setting. The
 * same item queued twice (a re-run, a crash of the producer, a second machine) gets the same id, and
 * BullMQ keeps one job per id. The output name is in the hash so that two names never share a job.
 */
export function imageJobId(data: ImageJobData): string {
  const { item, models, settings } = data;
  const key = {
    v: 1,
    prompt: item.prompt,
    seed: item.seed,
    file: item.file,
    models,
    settings: { steps: settings.steps, guidance: settings.guidance, temperature: settings.temperature, aestheticScore: settings.aestheticScore },
  };
  return `img-${createHash('sha256').update(canonical(key)).digest('hex').slice(0, 40)}`;
}

/** Differences between the spec a job asks for and the one a worker loaded (empty when they match). */
export function specMismatch(want: ModelSpec, have: ModelSpec): string[] {
  // Keys of either side: a config only one of them names is a difference too.
  const shown = (v: string | undefined) => (v === undefined ? 'none' : JSON.stringify(v));
  return ([...new Set([...Object.keys(want), ...Object.keys(have)])] as (keyof ModelSpec)[])
    .filter((k) => want[k] !== have[k])
    .map((k) => `${k}: job wants ${shown(want[k])}, this worker loaded ${shown(have[k])}`);
}

/** Checks job data read back from Redis before it is trusted (another producer version, a hand-made job). */
export function checkJobData(data: unknown, jobId: string | undefined): ImageJobData {
  const d = data as Partial<ImageJobData> | undefined;
  const it = d?.item;
  const ok =
    it &&
    typeof it.prompt === 'string' &&
    typeof it.file === 'string' &&
    /^[^/\\]+\.png$/.test(it.file) &&
    !it.file.startsWith('.') &&
    Number.isSafeInteger(it.seed) &&
    [it.index, it.line, it.image].every((n) => Number.isSafeInteger(n)) &&
    d.models &&
    typeof d.models.generator === 'string' &&
    typeof d.settings === 'object';
  if (!ok)
    throw new MaskgenError(
      'INVALID_ARGUMENT',
      `job ${jobId}: not a maskgen image job (expected { item: { prompt, seed, file: "<name>.png", … }, models, settings }), got ${JSON.stringify(data)?.slice(0, 200)}`,
    );
  return d as ImageJobData;
}
