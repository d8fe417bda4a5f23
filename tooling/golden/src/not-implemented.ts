import { MaskgenError } from '@maskgen/core';
import type { CaseRunner } from './types.js';

/** Placeholder runner for cases whose model is not built yet: the runner reports each call as FAIL (not implemented). */
export const notImplemented: CaseRunner = async () => {
  throw new MaskgenError('NOT_IMPLEMENTED', 'not implemented');
};
