import { runTatitokCase } from '../tatitok-case.js';
import type { CaseRunner } from '../types.js';

/** Golden case `tatitok_vq`: encode, quantise/posterior, and text-guided decodes. */
export const run: CaseRunner = runTatitokCase;
