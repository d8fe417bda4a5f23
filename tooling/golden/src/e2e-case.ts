import { createTextToImage } from '@maskgen/pipeline';
import { tensor } from '@maskgen/core';
import { toUint8Images } from '@maskgen/tatitok';
import { loadCaseClip } from './golden-clip.js';
import { GOLDEN_CLIP, goldenRepo, goldenSource } from './golden-source.js';
import { loadCaseTatitok } from './tatitok-case.js';
import type { CallResult, CaseContext } from './types.js';

/** Heads of the tiny tokenizer, from its own case folder's case.json. */
async function tokenizerHeads(ctx: CaseContext, dir: string) {
  const m = (await ctx.readJson(`${dir}/case.json`)).model ?? {};
  return { encoderHeads: m.encoder?.num_heads, decoderHeads: m.decoder?.num_heads };
}

/** What differs between the e2e cases: sibling folders, the sampling call, and how to run it. */
export interface E2eSpec {
  generator: string;
  tokenizer: string;
  /** case.json call name of the sampling call and io name of its tokens. */
  call: string;
  tokensIo: string;
  /** The sampling call's kwargs as pipeline generate options. */
  options: (kwargs: any) => Record<string, unknown>;
  /** Fail when recorded draws are left unused. */
  checkDraws: boolean;
}

/**
 * Golden e2e cases: prompt → CLIP → generator → TA-TiTok through `createTextToImage` (the
 * user's path, fed by a source over the sibling golden folders), with the recorded draws replayed.
 */
export async function runE2e(ctx: CaseContext, spec: E2eSpec): Promise<CallResult[]> {
  const gen = ctx.caseJson.calls.find((c: { name: string }) => c.name === spec.call);
  const results: CallResult[] = [];
  const t2i = await createTextToImage(`golden/${spec.generator}`, {
    runtime: ctx.runtime,
    source: goldenSource(ctx, {
      [`golden/${spec.generator}`]: goldenRepo(`../${spec.generator}`),
      [`golden/${spec.tokenizer}`]: goldenRepo(`../${spec.tokenizer}`),
      'golden/clip': GOLDEN_CLIP,
    }),
    tokenizer: `golden/${spec.tokenizer}`,
    textEncoder: 'golden/clip',
    clipActivation: 'quick-gelu',
    tokenizerOptions: await tokenizerHeads(ctx, `../${spec.tokenizer}`),
  });
  try {
    const k = gen.kwargs;
    const rng = await ctx.replay(gen.draws);
    const out = await t2i.generate(gen.captions, { rng, ...spec.options(k) });
    results.push(await ctx.compare(`${spec.call}: ${spec.tokensIo.split('.')[1]}`, spec.tokensIo, out.tokens));
    if (spec.checkDraws && rng.remaining !== 0)
      results.push({ call: `${spec.call}: draws`, pass: false, maxAbs: rng.remaining, maxRel: 0, note: `${rng.remaining} recorded draws were not consumed` });
    const rgb = new Uint8Array(out.images.length * out.images[0].width * out.images[0].height * 3);
    out.images.forEach((img, b) => {
      for (let i = 0; i < img.width * img.height; i++) for (let c = 0; c < 3; c++) rgb[(b * img.width * img.height + i) * 3 + c] = img.data[i * 4 + c];
    });
    results.push(
      await ctx.compare('pipeline: image_uint8', 'image_uint8', tensor('uint8', [out.images.length, out.images[0].height, out.images[0].width, 3], rgb)),
    );
  } finally {
    await t2i.dispose();
  }
  // The float outputs, through the components directly.
  const clip = await loadCaseClip(ctx);
  const sub = {
    ...ctx,
    caseJson: { ...ctx.caseJson, model: (await ctx.readJson(`../${spec.tokenizer}/case.json`)).model },
    config: await ctx.readJson(`../${spec.tokenizer}/config.json`),
    weights: await ctx.openSafetensors(`../${spec.tokenizer}/weights.safetensors`),
  };
  const tok = await loadCaseTatitok(sub);
  try {
    const enc = await clip.encode(gen.captions);
    results.push(await ctx.compare('clip: text_guidance', 'text_guidance', enc.final));
    const img = await tok.decode(await ctx.readIo(spec.tokensIo), enc.final);
    results.push(await ctx.compare('decode: image', 'image', img));
    results.push(await ctx.compare('decode: image_uint8', 'image_uint8', toUint8Images(img)));
  } finally {
    await Promise.all([clip.dispose(), tok.dispose()]);
  }
  return results;
}
