import { MaskgenError, type ModelSource, quote } from '@maskgen/core';
import type { LoadOptions } from './types.js';

/** Resolves a repo id (at a revision, for `REPO:FILE@rev`) to files through the caller's source (runtimes only run sessions). */
export function openSource(repoId: string, opts: Pick<LoadOptions, 'source'>, revision?: string): ModelSource {
  if (typeof repoId !== 'string' || repoId.trim() === '') {
    throw new MaskgenError('INVALID_ARGUMENT', `model id: expected a repo id like "turkeyju/generator_maskgen_vq_xl", got ${quote(repoId)}`);
  }
  if (typeof opts.source === 'function') return opts.source(repoId, revision === undefined ? undefined : { revision });
  throw new MaskgenError(
    'INVALID_ARGUMENT',
    `source: expected a function (repoId) => ModelSource to load ${quote(repoId)}, got ${quote(opts.source)}; use hubSources() from "@maskgen/hub/node" on Node, (id) => browserSource(id) from "@maskgen/hub" in browsers, or folderSource for local files`,
  );
}
