import { runE2e } from '../e2e-case.js';
import type { CaseRunner } from '../types.js';

/** Golden case `e2e_vq`: MaskGen-VQ generate with replayed Gumbel draws; ids must be exact. */
export const run: CaseRunner = (ctx) =>
  runE2e(ctx, {
    generator: 'maskgen_vq',
    tokenizer: 'tatitok_vq',
    call: 'generate',
    tokensIo: 'generate.ids',
    options: (k) => ({ steps: k.num_sample_steps, guidance: k.guidance_scale, temperature: k.randomize_temperature }),
    checkDraws: true,
  });
