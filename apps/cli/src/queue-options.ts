import { DEFAULT_GENERATOR } from '@maskgen/pipeline';
import type { ModelSpec, QueueTarget } from '@maskgen/queue';
import { resolve } from 'node:path';
import type { Flags } from './args.js';
import { UsageError } from './cli-error.js';
import { splitRevision } from './model-options.js';
import { isLocalPath } from './runtime-choice.js';

/** Flags every queue command takes: where Redis is and which queue. */
export const QUEUE_FLAGS = {
  queue: { type: 'string', help: 'Redis URL, e.g. redis://host:6379/0 (required)' },
  name: { type: 'string', help: 'queue name (default maskgen); one queue per model set' },
} satisfies Flags;

/** Flags naming the models, as for `generate`; a hub id may pin a revision: owner/name@<commit>. */
export const MODEL_FLAGS = {
  model: { type: 'string', help: `generator repo id[@revision] or local folder (default ${DEFAULT_GENERATOR})` },
  tokenizer: { type: 'string', help: "TA-TiTok repo id[@revision] or folder (default: the generator's pairing)" },
  'text-encoder': { type: 'string', help: 'CLIP repo id[@revision] or folder (default openai/clip-vit-large-patch14-336)' },
  precision: { type: 'string', choices: ['float32', 'int8'], help: 'linear-layer weights: float32 (default) or int8' },
} satisfies Flags;

/** The queue package, loaded only by the queue commands (BullMQ + ioredis take seconds to import). */
export const queueModule = () => import('@maskgen/queue');

/** `--queue`/`--name` → a target, checked before anything else is read or loaded. */
export async function queueTarget(flags: { queue?: string; name?: string }): Promise<QueueTarget> {
  if (!flags.queue) throw new UsageError('--queue is required: the Redis URL, e.g. --queue redis://127.0.0.1:6379/0');
  if (flags.name !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(flags.name))
    throw new UsageError(`--name: expected letters, digits, '.', '_' or '-' (at most 100), got "${flags.name}"`);
  (await queueModule()).checkRedisUrl(flags.queue);
  return { url: flags.queue, name: flags.name };
}

/** One model reference in its canonical form: `local:<abs path>` for folders, `owner/name@revision` (default main) for the hub. */
function canonicalRef(v: string): string {
  if (isLocalPath(v)) return `local:${resolve(v)}`;
  const [repo, revision] = splitRevision(v);
  return `${repo}@${revision || 'main'}`;
}

/** The model spec of a set of model flags: what jobs are hashed with and workers compare. */
export function modelSpec(flags: { model?: string; tokenizer?: string; 'text-encoder'?: string; precision?: string }): ModelSpec {
  return {
    generator: canonicalRef(flags.model ?? DEFAULT_GENERATOR),
    tokenizer: flags.tokenizer ? canonicalRef(flags.tokenizer) : '',
    textEncoder: flags['text-encoder'] ? canonicalRef(flags['text-encoder']) : '',
    precision: flags.precision === 'int8' ? 'int8' : 'float32',
  };
}

/** The model flags that load a spec (the inverse of modelSpec), for workers that take the queue's models. */
export function specFlags(spec: ModelSpec): { model: string; tokenizer?: string; 'text-encoder'?: string; precision?: string } {
  const ref = (r: string) => (r.startsWith('local:') ? r.slice('local:'.length) : r);
  return {
    model: ref(spec.generator),
    ...(spec.tokenizer ? { tokenizer: ref(spec.tokenizer) } : {}),
    ...(spec.textEncoder ? { 'text-encoder': ref(spec.textEncoder) } : {}),
    ...(spec.precision === 'int8' ? { precision: 'int8' } : {}),
  };
}
