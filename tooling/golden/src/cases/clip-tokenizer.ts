import { notImplemented } from '../not-implemented.js';
import type { CaseRunner } from '../types.js';

/** Golden case `clip_tokenizer`. */
export const run: CaseRunner = notImplemented;
