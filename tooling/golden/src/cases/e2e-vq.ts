import { notImplemented } from '../not-implemented.js';
import type { CaseRunner } from '../types.js';

/** Golden case `e2e_vq`. */
export const run: CaseRunner = notImplemented;
