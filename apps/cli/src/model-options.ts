import type { ProgressCallback, WeightPrecision } from '@maskgen/core';
import type { LoadOptions } from '@maskgen/pipeline';
import { folderSource, hubSource } from '@maskgen/hub/node';
import { resolve } from 'node:path';
import { makeRuntime, isLocalPath } from './runtime-choice.js';

/**
 * Turns --model/--tokenizer/--text-encoder/--runtime/--threads/--precision into pipeline options. Local folders
 * get stand-in ids (`local:<abs path>`) that the resolver maps back to folder sources; everything else
 * comes from the hub (or its cache), whichever runtime computes.
 */
export async function loadOptions(
  flags: { tokenizer?: string; 'text-encoder'?: string; runtime?: string; threads?: number; precision?: string },
  model: string,
  extra: { signal: AbortSignal; onProgress: ProgressCallback },
): Promise<{ modelId: string; options: LoadOptions }> {
  const local = new Map<string, string>();
  const id = (v: string | undefined) => {
    if (v === undefined || !isLocalPath(v)) return v;
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
        return dir ? folderSource(dir) : hubSource(repoId, { onProgress: extra.onProgress });
      },
      signal: extra.signal,
      onProgress: extra.onProgress,
    },
  };
}
