import { notImplemented } from '../not-implemented.js';
import type { CaseRunner } from '../types.js';

/** Golden case `tatitok_vae`. */
export const run: CaseRunner = notImplemented;
