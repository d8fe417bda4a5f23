import { Tatitok, type TatitokOptions } from '@maskgen/tatitok';
import { openSource } from './sources.js';
import type { LoadOptions } from './types.js';
import { openCheckpoint } from './weights.js';

/** Loads a TA-TiTok repo (config.json + weights) onto the runtime. */
export async function loadTatitok(repoId: string, opts: LoadOptions & { tokenizerOptions?: TatitokOptions }): Promise<Tatitok> {
  const source = openSource(repoId, opts);
  const { config, weights } = await openCheckpoint(source, opts);
  opts.onProgress?.({ phase: 'load', what: 'tatitok', done: 0, total: 1 });
  const tok = await Tatitok.create({ runtime: opts.runtime, weights, config, precision: opts.precision, ...opts.tokenizerOptions });
  opts.onProgress?.({ phase: 'load', what: 'tatitok', done: 1, total: 1 });
  return tok;
}
