import { MaskgenError } from '@maskgen/core';
import { hubSource } from '@maskgen/hub/node';
import { CLIP_REPO, DEFAULT_GENERATOR, zooEntry } from '@maskgen/pipeline';
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

/** One model reference in its canonical form: `local:<abs path>` for folders, `owner/name[:file]@revision` (default main) for the hub. */
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

/**
 * The model spec of a set of model flags: what jobs are hashed with and workers compare. The defaults a
 * load would take are written out (the zoo generator's tokenizer, the CLIP text encoder), so their
 * revisions are checked too, and config files by content. Hub revisions are still names here;
 * `pinModelSpec` turns them into commits.
 */
export async function modelSpec(flags: ModelFlags, signal?: AbortSignal): Promise<ModelSpec> {
  const generator = canonicalRef(flags.model ?? DEFAULT_GENERATOR);
  const zoo = generator.startsWith('local:') ? undefined : zooEntry(splitRevision(generator)[0]);
  return {
    generator,
    tokenizer: flags.tokenizer ? canonicalRef(flags.tokenizer) : zoo?.kind === 'generator' ? `${zoo.tokenizer}@main` : '',
    textEncoder: canonicalRef(flags['text-encoder'] ?? CLIP_REPO),
    precision: flags.precision === 'int8' ? 'int8' : 'float32',
    // Only when given, so the jobs of a spec without configs keep the ids they always had.
    ...(flags.config ? { config: await configRef('config', flags.config, signal) } : {}),
    ...(flags['tokenizer-config'] ? { tokenizerConfig: await configRef('tokenizer-config', flags['tokenizer-config'], signal) } : {}),
  };
}

/** The same spec with every hub revision left out: the repos a worker would load, compared before loading anything. */
export function specRepos(spec: ModelSpec): ModelSpec {
  const repo = (r: string) => (r.startsWith('local:') ? r : splitRevision(r)[0]);
  return { ...spec, generator: repo(spec.generator), tokenizer: repo(spec.tokenizer), textEncoder: repo(spec.textEncoder) };
}

/**
 * Pins every hub reference of a spec to a commit (`owner/name@<40 hex>`), so a job names the exact
 * snapshot it must be made from: two machines whose caches hold different commits of `main` then never
 * both accept it. `commitOf` answers for one repo (the producer asks the hub; a worker reports the
 * snapshot it loaded). Local folders stay `local:<path>`: their content is not checked across machines.
 */
export async function pinModelSpec(spec: ModelSpec, commitOf: (repoId: string, revision: string, file?: string) => Promise<string>): Promise<ModelSpec> {
  const pin = async (r: string) => {
    if (r === '' || r.startsWith('local:')) return r;
    const [name, revision = 'main'] = splitRevision(r);
    const colon = name.indexOf(':');
    const repoId = colon < 0 ? name : name.slice(0, colon);
    return `${name}@${/^[0-9a-f]{40}$/.test(revision) ? revision : await commitOf(repoId, revision, colon < 0 ? undefined : name.slice(colon + 1))}`;
  };
  const [generator, tokenizer, textEncoder] = await Promise.all([pin(spec.generator), pin(spec.tokenizer), pin(spec.textEncoder)]);
  return { ...spec, generator, tokenizer, textEncoder };
}

/**
 * The commit a hub revision points to now, as the hub announces it (X-Repo-Commit of a HEAD on the repo's
 * config or weights, or of the named file); with HF_HUB_OFFLINE, the commit the cache's ref names.
 */
export async function hubCommit(repoId: string, revision: string, file: string | undefined, signal?: AbortSignal): Promise<string> {
  const source = hubSource(repoId, { revision, refresh: true, signal });
  const files = file ? [file] : ['config.json', 'config.yaml', 'model.safetensors', 'pytorch_model.bin'];
  let cause: unknown;
  try {
    for (const f of files) if ((await source.exists(f)) && source.commit) return source.commit;
  } catch (e) {
    cause = e;
  }
  throw new MaskgenError(
    'NOT_FOUND',
    `cannot resolve ${repoId}@${revision} to a commit${cause ? ` (${(cause as Error).message})` : ` (none of ${files.join(', ')} found)`}; jobs name the exact commit they are made from: pin one with ${repoId}@<commit> or fix the id`,
    { cause },
  );
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
