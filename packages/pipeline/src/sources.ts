import { MaskgenError, type ModelSource, quote } from '@maskgen/core';
import type { LoadOptions } from './types.js';

/** Resolves a repo id to files: the caller's resolver, else the runtime's default (hub) source. */
export function openSource(repoId: string, opts: Pick<LoadOptions, 'runtime' | 'source'>): ModelSource {
  if (typeof repoId !== 'string' || repoId.trim() === '') {
    throw new MaskgenError('INVALID_ARGUMENT', `model id: expected a repo id like "turkeyju/generator_maskgen_vq_xl", got ${quote(repoId)}`);
  }
  if (opts.source) return opts.source(repoId);
  if (opts.runtime.openRepo) return opts.runtime.openRepo(repoId);
  throw new MaskgenError(
    'INVALID_ARGUMENT',
    `runtime ${opts.runtime.name} has no default model source; pass { source: (repoId) => ModelSource } to load ${quote(repoId)}`,
  );
}
