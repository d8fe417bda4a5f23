import { ClipTextEncoder } from '@maskgen/clip-text';
import { type FileHandle, type OnnxModel, type Runtime, SafetensorsFile, type WeightPrecision } from '@maskgen/core';
import { MaskGenKL, MaskGenVQ } from '@maskgen/sampler';
import { Tatitok } from '@maskgen/tatitok';
import { type ShapeTable, layoutHeader } from './random-checkpoints.js';

/** A safetensors file of a layout with no numbers behind it: the header is real, every tensor reads as zeros. */
export function layoutFile(shapes: ShapeTable): FileHandle {
  const { head: json, dataBytes } = layoutHeader(shapes);
  const head = new Uint8Array(8 + json.byteLength);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  head.set(json, 8);
  return {
    name: 'layout.safetensors',
    size: head.byteLength + dataBytes,
    async read(pos, length) {
      const out = new Uint8Array(length);
      if (pos < head.byteLength) out.set(head.subarray(pos, Math.min(pos + length, head.byteLength)));
      return out;
    },
  };
}

/** One ONNX session a model asks for, and the weight bytes runtime-web would have to pack for it. */
export interface SessionWeights {
  name: string;
  usedBytes: number;
}

/**
 * The sessions a model builds and each one's weight bytes, found by building its real graphs against
 * a runtime that only records them (nothing is run or read): the figure runtime-web compares with its
 * WebAssembly limit before loading, so "does XL fit in the browser" is answered from the shapes alone.
 */
export async function sessionWeights(
  kind: 'clip' | 'tatitok' | 'vq' | 'kl',
  shapes: ShapeTable,
  config: object | undefined,
  precision: WeightPrecision,
  int8MatMulNBits = true,
): Promise<SessionWeights[]> {
  const seen: SessionWeights[] = [];
  const runtime: Runtime = {
    name: 'weight-recorder',
    capabilities: async () => ({ int8MatMulNBits }),
    async createSession(model: OnnxModel) {
      seen.push({ name: model.name, usedBytes: model.externalData.reduce((s, e) => s + e.usedBytes, 0) });
      return { inputNames: model.inputNames, outputNames: model.outputNames, run: async () => ({}), dispose: async () => undefined };
    },
  };
  const weights = await SafetensorsFile.open(layoutFile(shapes));
  const o = { runtime, weights, config, precision };
  const m =
    kind === 'clip'
      ? await ClipTextEncoder.create(o)
      : kind === 'tatitok'
        ? await Tatitok.create(o)
        : kind === 'vq'
          ? await MaskGenVQ.create(o)
          : await MaskGenKL.create(o);
  if (m instanceof Tatitok) await m.prepare();
  await m.dispose();
  return seen;
}
