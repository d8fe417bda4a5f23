import { ReplayRng, type Tensor } from '@maskgen/core';
import { Tatitok } from '@maskgen/tatitok';
import { toUint8Images } from '@maskgen/tatitok';
import type { CallResult, CaseContext } from './types.js';

/** Heads of the made-up tiny sizes, from case.json's `model` section (the config only names them). */
export function tatitokHeads(ctx: CaseContext): { encoderHeads?: number; decoderHeads?: number } {
  const m = ctx.caseJson.model ?? {};
  return { encoderHeads: m.encoder?.num_heads, decoderHeads: m.decoder?.num_heads };
}

/** Loads the case's TA-TiTok on the context's runtime. */
export async function loadCaseTatitok(ctx: CaseContext): Promise<Tatitok> {
  return Tatitok.create({ runtime: ctx.runtime, weights: ctx.weights!, config: ctx.config, ...tatitokHeads(ctx) });
}

/** Runs encode + both decodes of a tatitok_vq / tatitok_vae case and compares every output. */
export async function runTatitokCase(ctx: CaseContext): Promise<CallResult[]> {
  const tok = await loadCaseTatitok(ctx);
  try {
    const images = await ctx.readIo('images');
    const text = await ctx.readIo('text_guidance');
    const enc = await tok.encode(images);
    const r: CallResult[] = [await ctx.compare('encode: encoder_out', 'encoder_out', enc.encoderOut)];
    const decodeBoth = async (name: string, tokens: Tensor) => {
      const img = await tok.decode(tokens, text);
      r.push(await ctx.compare(`decode_tokens: ${name}`, name, img));
      r.push(await ctx.compare(`decode_tokens: ${name}_uint8`, `${name}_uint8`, toUint8Images(img)));
    };
    if (enc.mode === 'vq') {
      r.push(await ctx.compare('encode: min_encoding_indices', 'min_encoding_indices', enc.indices));
      r.push(await ctx.compare('encode: z_quantized', 'z_quantized', enc.quantized));
      await decodeBoth('decoded_enc', await ctx.readIo('min_encoding_indices'));
    } else {
      for (const k of ['mean', 'logvar', 'std'] as const) {
        const name = `posterior_${k}`;
        r.push(await ctx.compare(`encode: ${name}`, name, enc[k], ctx.caseJson.io[name].tolerance ?? ctx.caseJson.io.encoder_out.tolerance));
      }
      const noise = await ctx.readIo('sample_noise');
      const rng = new ReplayRng([{ kind: 'randn', shape: noise.dims, tensor: noise }]);
      r.push(await ctx.compare('encode: z_sample', 'z_sample', tok.samplePosterior(enc, rng)));
      await decodeBoth('decoded_mean', await ctx.readIo('posterior_mean'));
    }
    await decodeBoth('decoded_rand', await ctx.readIo('rand_tokens'));
    return r;
  } finally {
    await tok.dispose();
  }
}
