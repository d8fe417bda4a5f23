import { DEFAULT_GENERATOR } from '@maskgen/pipeline';
import type { ModelSpec, QueueTarget } from '@maskgen/queue';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Flags } from './args.js';
import { UsageError } from './cli-error.js';
import { MODEL_SOURCE_FLAGS, splitRevision } from './model-options.js';
import { INPUT_LIMITS, readInput } from './read-input.js';
import { isLocalPath } from './runtime-choice.js';

/** Flags every queue command takes: where Redis is and which queue. */
export const QUEUE_FLAGS = {
  queue: { type: 'string', help: 'Redis URL, e.g. redis://host:6379/0 (required)' },
  name: { type: 'string', help: 'queue name (default maskgen); one queue per model set' },
} satisfies Flags;

/** Flags naming the models, as for `generate` (the same definitions); a hub id may pin a revision: owner/name@<commit>. */
export const MODEL_FLAGS = {
  ...MODEL_SOURCE_FLAGS,
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

const DIGEST = '#sha256=';

/**
 * A --config/--tokenizer-config file in a spec: its absolute path (for workers that take the queue's
 * models) and the SHA-256 of its bytes, so a worker whose file there differs refuses the queue's jobs.
 */
async function configRef(flag: string, path: string, signal?: AbortSignal): Promise<string> {
  const bytes = await readInput(path, `--${flag} file`, INPUT_LIMITS.config, signal);
  return `${resolve(path)}${DIGEST}${createHash('sha256').update(bytes).digest('hex')}`;
}

type ModelFlags = { model?: string; tokenizer?: string; 'text-encoder'?: string; config?: string; 'tokenizer-config'?: string; precision?: string };

/** The model spec of a set of model flags: what jobs are hashed with and workers compare (configs by content). */
export async function modelSpec(flags: ModelFlags, signal?: AbortSignal): Promise<ModelSpec> {
  return {
    generator: canonicalRef(flags.model ?? DEFAULT_GENERATOR),
    tokenizer: flags.tokenizer ? canonicalRef(flags.tokenizer) : '',
    textEncoder: flags['text-encoder'] ? canonicalRef(flags['text-encoder']) : '',
    precision: flags.precision === 'int8' ? 'int8' : 'float32',
    // Only when given, so the jobs of a spec without configs keep the ids they always had.
    ...(flags.config ? { config: await configRef('config', flags.config, signal) } : {}),
    ...(flags['tokenizer-config'] ? { tokenizerConfig: await configRef('tokenizer-config', flags['tokenizer-config'], signal) } : {}),
  };
}

/** The model flags that load a spec (the inverse of modelSpec), for workers that take the queue's models. */
export function specFlags(spec: ModelSpec): ModelFlags & { model: string } {
  const ref = (r: string) => (r.startsWith('local:') ? r.slice('local:'.length) : r);
  const path = (c: string) => c.slice(0, c.lastIndexOf(DIGEST));
  return {
    model: ref(spec.generator),
    ...(spec.tokenizer ? { tokenizer: ref(spec.tokenizer) } : {}),
    ...(spec.textEncoder ? { 'text-encoder': ref(spec.textEncoder) } : {}),
    ...(spec.config ? { config: path(spec.config) } : {}),
    ...(spec.tokenizerConfig ? { 'tokenizer-config': path(spec.tokenizerConfig) } : {}),
    ...(spec.precision === 'int8' ? { precision: 'int8' } : {}),
  };
}
