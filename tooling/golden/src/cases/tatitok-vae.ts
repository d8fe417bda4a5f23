import { runTatitokCase } from '../tatitok-case.js';
import type { CaseRunner } from '../types.js';

/** Golden case `tatitok_vae`: encode, quantise/posterior, and text-guided decodes. */
export const run: CaseRunner = runTatitokCase;
