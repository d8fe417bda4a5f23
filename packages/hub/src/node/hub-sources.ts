import type { ModelSource } from '@maskgen/core';
import { folderSource } from './folder-source.js';
import { hubSource } from './hub-source.js';
import type { HubSourceOptions } from './hub-source-types.js';

/** Options of hubSources: every hub option, plus repo ids served from local folders instead. */
export interface SourceResolverOptions extends Omit<HubSourceOptions, 'revision'> {
  /** Repo id → local folder with the same files (no network for those). */
  folders?: Readonly<Record<string, string>>;
  /** Revision per repo id (default 'main'). */
  revisions?: Readonly<Record<string, string>>;
}

/**
 * The pipeline's `source` for Node in one call: every repo a model needs (generator, tokenizer, CLIP)
 * comes from the hub through the disk cache shared with Python, with one set of options.
 */
export function hubSources(options: SourceResolverOptions = {}): (repoId: string, at?: { revision?: string }) => ModelSource {
  const { folders, revisions, ...hub } = options;
  return (repoId, at) => {
    const dir = folders?.[repoId];
    if (dir) return folderSource(dir, { id: repoId });
    const revision = at?.revision ?? revisions?.[repoId];
    return hubSource(repoId, { ...hub, ...(revision ? { revision } : {}) });
  };
}
