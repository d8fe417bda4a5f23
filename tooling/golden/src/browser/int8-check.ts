import type { Runtime, Tensor } from '@maskgen/core';
import { toFloat32 } from '@maskgen/core';
import { MaskGenVQ } from '@maskgen/sampler';
import { Tatitok } from '@maskgen/tatitok';
import type { CaseFiles } from '../context.js';
import { createContext } from '../context.js';
import { tatitokHeads } from '../tatitok-case.js';

/** One int8 call on two devices: each one's largest error against the float32 reference, and between them. */
export interface Int8Comparison {
  call: string;
  /** max |int8 on the device − float32 reference|. */
  deviceVsReference: number;
  /** max |int8 on WASM − float32 reference|: the quantisation error the device is held to. */
  wasmVsReference: number;
  /** max |device − WASM|, both int8. */
  deviceVsWasm: number;
  /** Largest |reference| value, for scale. */
  referenceMax: number;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Number.isNaN(a[i] - b[i]) ? Infinity : Math.abs(a[i] - b[i]));
  return d;
}

/**
 * int8 graphs (MatMulNBits, or DequantizeLinear → MatMul where the device lacks 8-bit MatMulNBits) on a device against the same graphs on WASM in the same page: the goldens
 * are float32, so an int8 output is judged by its quantisation error next to WASM's, per call.
 * Covers a TA-TiTok decode (`tatitok_vq` folder) or the MaskGen-VQ forward (`maskgen_vq` folder).
 */
export async function int8Check(files: CaseFiles, device: Runtime, wasm: Runtime): Promise<Int8Comparison[]> {
  const run = async (runtime: Runtime) => {
    const ctx = await createContext(files, runtime);
    if (ctx.caseJson.case === 'maskgen_vq') {
      const call = ctx.caseJson.calls.find((c: { name: string }) => c.name === 'forward');
      const [ids, cond, pooled, aes] = await Promise.all(call.inputs.map((n: string) => ctx.readIo(n)));
      const m = await MaskGenVQ.create({ runtime, weights: ctx.weights!, config: ctx.config, precision: 'int8' });
      try {
        return { call: 'forward: logits', out: await m.forward(ids, cond, pooled, (aes as Tensor<'float32'>).data), ref: await ctx.readIo(call.returns[0]) };
      } finally {
        await m.dispose();
      }
    }
    const tok = await Tatitok.create({ runtime, weights: ctx.weights!, config: ctx.config, precision: 'int8', ...tatitokHeads(ctx) });
    try {
      const out = await tok.decode(await ctx.readIo('rand_tokens'), await ctx.readIo('text_guidance'));
      return { call: 'decode_tokens: decoded_rand', out, ref: await ctx.readIo('decoded_rand') };
    } finally {
      await tok.dispose();
    }
  };
  const d = await run(device);
  const w = await run(wasm);
  const [dv, wv, ref] = [toFloat32(d.out), toFloat32(w.out), toFloat32(d.ref)];
  return [
    {
      call: d.call,
      deviceVsReference: maxDiff(dv, ref),
      wasmVsReference: maxDiff(wv, ref),
      deviceVsWasm: maxDiff(dv, wv),
      referenceMax: maxDiff(ref, new Float32Array(ref.length)),
    },
  ];
}
