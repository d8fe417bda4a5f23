import { GraphBuilder, type OnnxModel, SafetensorsFile, encodeSafetensors, isMaskgenError, memoryFile, tensor } from '@maskgen/core';
import { nodeFile, nodeRuntime } from '@maskgen/runtime-node';
import { decodePng } from '@maskgen/image';
import { imageToTensor } from '@maskgen/tatitok';
import { GOLDEN_IDS } from '@maskgen/mock-hub';
import { klFamily } from '@maskgen/pipeline';
import { copyFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { externalLocations, setExternalLocation } from '../src/onnx-location.js';
import { GOLDEN, useCliEnv } from './cli-harness.js';

/** The golden KL generator's weights and config, as `klFamily.graphs` takes them. */
async function klCheckpoint(): Promise<[SafetensorsFile, unknown]> {
  return [
    await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'maskgen_kl/weights.safetensors'))),
    JSON.parse(readFileSync(join(GOLDEN, 'maskgen_kl/config.json'), 'utf8')),
  ];
}

const cli = useCliEnv();

/** An exported graph as the runtime sees it: ORT resolves the graph's own location string in `dir`. */
async function exportedModel(dir: string, name: string): Promise<OnnxModel> {
  const graph = new Uint8Array(readFileSync(join(dir, `${name}.onnx`)));
  const file = await nodeFile(join(dir, `${name}.weights.bin`));
  const fail = () => {
    throw new Error('not used');
  };
  return {
    name,
    graph,
    externalData: [{ path: `${name}.weights.bin`, file, usedBytes: file.size }],
    inputNames: [],
    outputNames: [],
    relocate: () => graph,
    pack: fail,
  };
}

describe('maskgen export', () => {
  it('writes graphs whose weights sit in <name>.weights.bin and compute what the CLI computes', async () => {
    const r = await cli.run(['export', '-o', 'hosted', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const dir = join(cli.work, 'hosted');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const expected = manifest.graphs.flatMap((g: { graph: string; weights: string[] }) => [g.graph, ...g.weights]);
    expect(readdirSync(dir).sort()).toEqual([...expected, 'manifest.json'].sort());
    for (const g of manifest.graphs) {
      expect(g.weights).toEqual([`${g.name}.weights.bin`]);
      expect(externalLocations(new Uint8Array(readFileSync(join(dir, g.graph))))).toEqual(g.weights);
      expect(statSync(join(dir, g.weights[0])).size).toBe(g.weightBytes);
    }
    // The exported encoder, loaded from the folder alone, gives the tokens `maskgen encode` gives.
    copyFileSync(join(GOLDEN, 'e2e_vq/image_0.png'), join(cli.work, 'in.png'));
    const enc = await cli.run(['encode', 'in.png', '-q']);
    expect(enc.status, enc.stderr).toBe(0);
    const session = await nodeRuntime({ threads: 1 }).createSession(await exportedModel(dir, 'tatitok_encoder'));
    const img = await decodePng(new Uint8Array(readFileSync(join(cli.work, 'in.png'))));
    const out = await session.run({ pixels: imageToTensor(img) });
    await session.dispose();
    expect(Array.from(out.indices.data as BigInt64Array, Number)).toEqual(JSON.parse(enc.stdout).tokens);
  }, 120_000);
});

describe('maskgen export of a MaskGen-KL generator', () => {
  it("writes the graphs its family lists (condition, MAE decoder, DiffLoss MLP) beside CLIP's and TA-TiTok's", async () => {
    const r = await cli.run(['export', '-o', 'hosted-kl', '--model', GOLDEN_IDS.klGenerator, '-q']);
    expect(r.status, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(cli.work, 'hosted-kl', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ model: GOLDEN_IDS.klGenerator, tokenizer: GOLDEN_IDS.klTokenizer });
    const names = manifest.graphs.map((g: { name: string }) => g.name);
    expect(names.slice(3)).toEqual(klFamily.graphs(...(await klCheckpoint())).map((m) => m.name));
    expect(names).toHaveLength(6);
  }, 120_000);
});

describe('setExternalLocation', () => {
  it('renames every external-data location and keeps the graph loadable', async () => {
    const st = await SafetensorsFile.open(memoryFile(encodeSafetensors({ w: tensor('float32', [2, 2], [1, 2, 3, 4]), b: tensor('float32', [2], [5, 6]) })));
    const g = new GraphBuilder('tiny');
    const x = g.input('x', 'float32', [1, 2]);
    g.output(g.op1('Add', [g.op1('MatMul', [x, g.weight(st, 'w')]), g.weight(st, 'b')]), 'y');
    const packed = await g.build().pack();
    expect(externalLocations(packed.graph)).toEqual([packed.externalData[0].path]);
    const renamed = setExternalLocation(packed.graph, 'tiny.weights.bin');
    expect(externalLocations(renamed)).toEqual(['tiny.weights.bin']);
    expect(externalLocations(setExternalLocation(renamed, packed.externalData[0].path))).toEqual([packed.externalData[0].path]);
    expect(setExternalLocation(setExternalLocation(packed.graph, 'tiny.weights.bin'), packed.externalData[0].path)).toEqual(packed.graph);
    const bad = (() => {
      try {
        return setExternalLocation(packed.graph.subarray(0, packed.graph.length - 3), 'x');
      } catch (e) {
        return e;
      }
    })();
    expect(isMaskgenError(bad, 'INVALID_ARGUMENT')).toBe(true);
  });
});
