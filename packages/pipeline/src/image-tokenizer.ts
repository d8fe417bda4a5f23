import { Tatitok, type TatitokOptions } from '@maskgen/tatitok';
import { type ModelRef, type ResolvedModel, resolveModel } from './model-file.js';
import type { LoadOptions } from './types.js';

/** Loads a TA-TiTok (a repo, a hub file or `{ file }`; config from `tokenizerConfig` when given) onto the runtime. */
export async function loadTatitok(ref: ModelRef | ResolvedModel, opts: LoadOptions & { tokenizerOptions?: TatitokOptions }): Promise<Tatitok> {
  const model = typeof ref === 'object' && 'openWeights' in ref ? ref : await resolveModel(ref, opts, opts.tokenizerConfig);
  const weights = await model.openWeights();
  opts.onProgress?.({ phase: 'load', what: 'tatitok', done: 0, total: 1 });
  const tok = await Tatitok.create({ runtime: opts.runtime, weights, config: model.config, precision: opts.precision, ...opts.tokenizerOptions });
  opts.onProgress?.({ phase: 'load', what: 'tatitok', done: 1, total: 1 });
  return tok;
}
