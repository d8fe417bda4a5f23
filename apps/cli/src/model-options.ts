import type { ProgressCallback, WeightPrecision } from '@maskgen/core';
import type { LoadOptions } from '@maskgen/pipeline';
import { hubSource, folderSource } from '@maskgen/runtime-node';
import { resolve } from 'node:path';
import { makeRuntime, isLocalPath } from './runtime-choice.js';

/**
 * Turns --model/--tokenizer/--text-encoder/--runtime/--threads/--precision into pipeline options. A hub id may
 * pin a revision as `owner/name@<branch|tag|commit>` (the returned modelId is the plain id). Local folders
 * get stand-in ids (`local:<abs path>`) that the resolver maps back to folder sources; everything else
 * comes from the hub (or its cache), whichever runtime computes.
 */
export async function loadOptions(
  flags: { tokenizer?: string; 'text-encoder'?: string; runtime?: string; threads?: number; precision?: string },
  model: string,
  extra: { signal: AbortSignal; onProgress: ProgressCallback },
): Promise<{ modelId: string; options: LoadOptions }> {
  const local = new Map<string, string>();
  const revisions = new Map<string, string>();
  const id = (v: string | undefined) => {
    if (v === undefined) return v;
    if (!isLocalPath(v)) {
      const [repo, revision] = splitRevision(v);
      if (revision !== undefined) revisions.set(repo, revision);
      return repo;
    }
    const key = `local:${resolve(v)}`;
    local.set(key, resolve(v));
    return key;
  };
  const modelId = id(model)!;
  const runtime = await makeRuntime(flags.runtime, flags.threads);
  return {
    modelId,
    options: {
      runtime,
      tokenizer: id(flags.tokenizer),
      textEncoder: id(flags['text-encoder']),
      ...(flags.precision ? { precision: flags.precision as WeightPrecision } : {}),
      source: (repoId) => {
        const dir = local.get(repoId);
        const revision = revisions.get(repoId);
        return dir ? folderSource(dir) : hubSource(repoId, { onProgress: extra.onProgress, ...(revision !== undefined ? { revision } : {}) });
      },
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
