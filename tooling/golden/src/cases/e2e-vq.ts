import { createTextToImage } from '@maskgen/pipeline';
import { tensor } from '@maskgen/core';
import { toUint8Images } from '@maskgen/tatitok';
import { loadCaseClip, replayDraws } from '../golden-clip.js';
import { GOLDEN_CLIP, goldenRepo, goldenSource } from '../golden-source.js';
import { loadCaseTatitok } from '../tatitok-case.js';
import type { CallResult, CaseContext, CaseRunner } from '../types.js';

/** Heads of the tiny tokenizer, from its own case folder's case.json. */
async function tokenizerHeads(ctx: CaseContext, dir: string) {
  const m = (await ctx.readJson(`${dir}/case.json`)).model ?? {};
  return { encoderHeads: m.encoder?.num_heads, decoderHeads: m.decoder?.num_heads };
}

/**
 * Golden case `e2e_vq`: prompt → CLIP → MaskGen-VQ → TA-TiTok through `createTextToImage` (the
 * user's path, fed by a source over the sibling golden folders), with the recorded draws replayed.
 */
export const run: CaseRunner = async (ctx) => {
  const gen = ctx.caseJson.calls.find((c: { name: string }) => c.name === 'generate');
  const results: CallResult[] = [];
  const t2i = await createTextToImage('golden/maskgen_vq', {
    runtime: ctx.runtime,
    source: goldenSource(ctx, { 'golden/maskgen_vq': goldenRepo('../maskgen_vq'), 'golden/tatitok_vq': goldenRepo('../tatitok_vq'), 'golden/clip': GOLDEN_CLIP }),
    tokenizer: 'golden/tatitok_vq',
    textEncoder: 'golden/clip',
    clipActivation: 'quick-gelu',
    tokenizerOptions: await tokenizerHeads(ctx, '../tatitok_vq'),
  });
  try {
    const k = gen.kwargs;
    const rng = await replayDraws(ctx, gen.draws);
    const out = await t2i.generate(gen.captions, { rng, steps: k.num_sample_steps, guidance: k.guidance_scale, temperature: k.randomize_temperature });
    results.push(await ctx.compare('generate: ids', 'generate.ids', out.tokens));
    if (rng.remaining !== 0) results.push({ call: 'generate: draws', pass: false, maxAbs: rng.remaining, maxRel: 0, note: `${rng.remaining} recorded draws were not consumed` });
    const rgb = new Uint8Array(out.images.length * out.images[0].width * out.images[0].height * 3);
    out.images.forEach((img, b) => {
      for (let i = 0; i < img.width * img.height; i++) for (let c = 0; c < 3; c++) rgb[(b * img.width * img.height + i) * 3 + c] = img.data[i * 4 + c];
    });
    results.push(await ctx.compare('pipeline: image_uint8', 'image_uint8', tensor('uint8', [out.images.length, out.images[0].height, out.images[0].width, 3], rgb)));
  } finally {
    await t2i.dispose();
  }
  // The float outputs, through the components directly.
  const clip = await loadCaseClip(ctx);
  const sub = { ...ctx, caseJson: { ...ctx.caseJson, model: (await ctx.readJson('../tatitok_vq/case.json')).model }, config: await ctx.readJson('../tatitok_vq/config.json'), weights: await ctx.openSafetensors('../tatitok_vq/weights.safetensors') };
  const tok = await loadCaseTatitok(sub);
  try {
    const enc = await clip.encode(gen.captions);
    results.push(await ctx.compare('clip: text_guidance', 'text_guidance', enc.final));
    const img = await tok.decode(await ctx.readIo('generate.ids'), enc.final);
    results.push(await ctx.compare('decode: image', 'image', img));
    results.push(await ctx.compare('decode: image_uint8', 'image_uint8', toUint8Images(img)));
  } finally {
    await Promise.all([clip.dispose(), tok.dispose()]);
  }
  return results;
};
