import type { CaseRunner } from '../types.js';
import { run as clipText } from './clip-text.js';
import { run as clipTokenizer } from './clip-tokenizer.js';
import { run as e2eKl } from './e2e-kl.js';
import { run as e2eVq } from './e2e-vq.js';
import { run as maskgenKl } from './maskgen-kl.js';
import { run as maskgenVq } from './maskgen-vq.js';
import { run as tatitokVae } from './tatitok-vae.js';
import { run as tatitokVq } from './tatitok-vq.js';

/**
 * Case runners by the `case` field of case.json. maskgen_kl_steps100 has the same layout as
 * maskgen_kl, so one runner serves both; a new case kind needs a new entry here.
 */
export const runners: Record<string, CaseRunner> = {
  clip_tokenizer: clipTokenizer,
  clip_text: clipText,
  tatitok_vq: tatitokVq,
  tatitok_vae: tatitokVae,
  maskgen_vq: maskgenVq,
  maskgen_kl: maskgenKl,
  maskgen_kl_steps100: maskgenKl,
  e2e_vq: e2eVq,
  e2e_kl: e2eKl,
};
