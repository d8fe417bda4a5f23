import { MaskgenError, type ProgressCallback, type WeightPrecision } from '@maskgen/core';
import { DEFAULT_GENERATOR, type LoadOptions, type ModelRef, parseConfigText } from '@maskgen/pipeline';
import { type HubSource, folderSource, hubSource } from '@maskgen/hub/node';
import { statSync } from 'node:fs';
import { INPUT_LIMITS, readInput } from './read-input.js';
import { basename, dirname, resolve } from 'node:path';
import { makeRuntime, isLocalPath } from './runtime-choice.js';
import type { Flags } from './args.js';

/**
 * The flags naming the models and their configs, as `loadOptions` reads them: one definition (and help
 * text) for every command that loads a generator (generate, edit, export, serve, batch, worker).
 */
export const MODEL_SOURCE_FLAGS = {
  model: {
    type: 'string',
    help: `generator repo id[@rev], folder, checkpoint file (.bin/.safetensors) or owner/name:file.bin[@rev] (default ${DEFAULT_GENERATOR})`,
  },
  tokenizer: {
    type: 'string',
    help: "TA-TiTok repo id[@rev], folder, checkpoint file or owner/name:file.bin[@rev] (default: the generator's pairing)",
  },
  config: {
    type: 'string',
    help: 'generator config (YAML or JSON; default: config.json, or for a single file the same-stem .yaml/.yml/.json beside it, or the built-in one)',
  },
  'tokenizer-config': { type: 'string', help: 'tokenizer config (YAML or JSON), as --config' },
  'text-encoder': {
    type: 'string',
    help: 'CLIP repo id[@rev], folder, checkpoint file (.safetensors/.bin) or owner/name:file[@rev] (default openai/clip-vit-large-patch14-336)',
  },
} satisfies Flags;

/** Reads a --config/--tokenizer-config file (YAML or JSON by extension) into the tree the loaders take. */
async function configFlag(flag: string, path: string | undefined, signal?: AbortSignal): Promise<unknown> {
  if (path === undefined) return undefined;
  const text = new TextDecoder().decode(await readInput(path, `--${flag} file`, INPUT_LIMITS.config, signal));
  return parseConfigText(text, path);
}

/**
 * Turns --model/--tokenizer/--text-encoder/--config/--tokenizer-config/--runtime/--threads/--precision into
 * pipeline options. A hub id may pin a revision as `owner/name@<branch|tag|commit>` (the returned modelId is the
 * plain id). Local folders get stand-in ids (`local:<abs path>`) that the resolver maps back to folder
 * sources; a local checkpoint file becomes `{ file, source }` over its folder (so a same-stem YAML beside it
 * is found); everything else (repo ids, `owner/name:file.bin[@rev]`) comes from the hub or its cache.
 */
export async function loadOptions(
  flags: {
    tokenizer?: string;
    'text-encoder'?: string;
    config?: string;
    'tokenizer-config'?: string;
    runtime?: string;
    threads?: number;
    precision?: string;
    'allow-nonfinite'?: boolean;
  },
  model: string,
  extra: { signal: AbortSignal; onProgress: ProgressCallback },
): Promise<{ modelId: ModelRef; options: LoadOptions; loadedCommit: (repoId: string) => string | undefined }> {
  const local = new Map<string, string>();
  const hubs: HubSource[] = [];
  const revisions = new Map<string, string>();
  const folder = (dir: string) => {
    const key = `local:${dir}`;
    local.set(key, dir);
    return key;
  };
  const source = (repoId: string, at?: { revision?: string }) => {
    const dir = local.get(repoId);
    const revision = at?.revision ?? revisions.get(repoId);
    if (dir) return folderSource(dir);
    const hub = hubSource(repoId, { onProgress: extra.onProgress, ...(revision !== undefined ? { revision } : {}) });
    hubs.push(hub);
    return hub;
  };
  const ref = (v: string | undefined): ModelRef | undefined => {
    if (v === undefined) return v;
    if (!isLocalPath(v)) {
      // `owner/name:file.bin[@rev]` carries its own revision (the pipeline parses it); `owner/name@rev` pins a repo.
      if (v.includes(':')) return v;
      const [repo, revision] = splitRevision(v);
      if (revision !== undefined) revisions.set(repo, revision);
      return repo;
    }
    const abs = resolve(v);
    if (!statSync(abs, { throwIfNoEntry: false })?.isFile()) return folder(abs);
    return { file: basename(abs), source: source(folder(dirname(abs))), id: abs };
  };
  const modelId = ref(model)!;
  const runtime = await makeRuntime(flags.runtime, flags.threads, { sessionCache: true });
  const [config, tokenizerConfig] = await Promise.all([
    configFlag('config', flags.config, extra.signal),
    configFlag('tokenizer-config', flags['tokenizer-config'], extra.signal),
  ]);
  return {
    modelId,
    // The commit each hub repo's files were read from, once loaded (queue workers check jobs against it).
    loadedCommit: (repoId) => hubs.find((h) => h.repoId === repoId && h.commit)?.commit,
    options: {
      runtime,
      tokenizer: ref(flags.tokenizer),
      textEncoder: ref(flags['text-encoder']),
      ...(config !== undefined ? { config } : {}),
      ...(tokenizerConfig !== undefined ? { tokenizerConfig } : {}),
      ...(flags.precision ? { precision: flags.precision as WeightPrecision } : {}),
      ...(flags['allow-nonfinite'] ? { allowNonFinite: true } : {}),
      onWarning: (m: string) => process.stderr.write(`maskgen: warning: ${m}\n`),
      source,
      signal: extra.signal,
      onProgress: extra.onProgress,
    },
  };
}

/** `owner/name@revision` → [`owner/name`, `revision`]; no `@` → [value, undefined]. */
export function splitRevision(value: string): [string, string | undefined] {
  const at = value.indexOf('@');
  return at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)];
}
