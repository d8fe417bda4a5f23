import { MaskgenError, type ModelSource, quote } from '@maskgen/core';
import type { LoadOptions } from './types.js';

/** Resolves a repo id (at a revision, for `REPO:FILE@rev`) to files: the caller's resolver, else the runtime's default (hub) source. */
export function openSource(repoId: string, opts: Pick<LoadOptions, 'runtime' | 'source'>, revision?: string): ModelSource {
  if (typeof repoId !== 'string' || repoId.trim() === '') {
    throw new MaskgenError('INVALID_ARGUMENT', `model id: expected a repo id like "turkeyju/generator_maskgen_vq_xl", got ${quote(repoId)}`);
  }
  const at = revision === undefined ? undefined : { revision };
  if (opts.source) return opts.source(repoId, at);
  if (opts.runtime.openRepo) return opts.runtime.openRepo(repoId, at);
  throw new MaskgenError(
    'INVALID_ARGUMENT',
    `runtime ${opts.runtime.name} has no default model source; pass { source: (repoId) => ModelSource } to load ${quote(repoId)}`,
  );
}
