import { GraphBuilder, type PackCache, SafetensorsFile, encodeSafetensors, linearFrom, memoryFile, tensor } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { webRuntime } from '../src/index.js';

const checkpoint = encodeSafetensors({
  'l.weight': tensor(
    'float32',
    [64, 96],
    Float32Array.from({ length: 64 * 96 }, (_, i) => Math.cos(i * 0.7) * 0.2),
  ),
  'l.bias': tensor('float32', [64], new Float32Array(64).fill(0.25)),
});

async function int8Model() {
  const st = await SafetensorsFile.open({ ...memoryFile(checkpoint, 'model.safetensors'), contentId: 'etag-1' });
  const g = new GraphBuilder('m', { precision: 'int8' });
  g.output(linearFrom(g, st, 'l', g.input('x', 'float32', [1, 96])), 'y');
  return g.build();
}

describe('runtime-web with a pack cache', () => {
  it('a session built from a cached int8 pack computes what the first one did', async () => {
    const map = new Map<string, Uint8Array>();
    let hits = 0;
    const packCache: PackCache = {
      get: async (k) => (map.has(k) ? (hits++, map.get(k)!.slice()) : undefined),
      put: async (k, d) => void map.set(k, d.slice()),
    };
    const rt = webRuntime({ device: 'wasm', threads: 1, packCache });
    const x = tensor(
      'float32',
      [1, 96],
      Float32Array.from({ length: 96 }, (_, i) => (i % 5) - 2),
    );
    const first = await rt.createSession(await int8Model());
    const a = (await first.run({ x })).y;
    await first.dispose();
    expect(map.size).toBe(1);
    const second = await rt.createSession(await int8Model());
    const b = (await second.run({ x })).y;
    await second.dispose();
    expect(hits).toBe(1);
    expect(Array.from(b.data as Float32Array)).toEqual(Array.from(a.data as Float32Array));
  });
});
