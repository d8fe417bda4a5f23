import { runE2e } from '../e2e-case.js';
import type { CaseRunner } from '../types.js';

/** Golden case `e2e_kl`: MaskGen-KL sample_tokens with replayed orders and noise. */
export const run: CaseRunner = (ctx) =>
  runE2e(ctx, {
    generator: 'maskgen_kl',
    tokenizer: 'tatitok_vae',
    call: 'sample',
    tokensIo: 'sample.tokens',
    options: (k) => ({ steps: k.num_iter, guidance: k.cfg, temperature: k.temperature, aestheticScore: k.aes_scores }),
    checkDraws: false,
  });
