import { describe, expect, it } from 'vitest';
import { type FileHandle, GraphBuilder, type PackCache, SafetensorsFile, encodeSafetensors, linearFrom, memoryFile, tensor } from '../src/index.js';

const checkpoint = encodeSafetensors({
  'l.weight': tensor(
    'float32',
    [64, 96],
    Float32Array.from({ length: 64 * 96 }, (_, i) => Math.sin(i) * 0.1),
  ),
  'l.bias': tensor('float32', [64], new Float32Array(64).fill(0.5)),
});

/** The checkpoint as a hub file would be (content id = its ETag), counting the bytes read from it. */
function hubFile(contentId: string | undefined, reads = { bytes: 0 }): FileHandle {
  const f = memoryFile(checkpoint, 'model.safetensors');
  return { ...f, ...(contentId ? { contentId } : {}), read: (o, n, opts) => ((reads.bytes += n), f.read(o, n, opts)) };
}

/** One page load: open the checkpoint, build the graph, pack it. */
async function load(file: FileHandle, cache: PackCache, opts: { precision?: 'float32' | 'int8'; allowNonFinite?: boolean } = {}) {
  const st = await SafetensorsFile.open(file, { allowNonFinite: opts.allowNonFinite });
  const g = new GraphBuilder('m', { precision: opts.precision ?? 'int8' });
  g.output(linearFrom(g, st, 'l', g.input('x', 'float32', [1, 96])), 'y');
  return g.build().pack({ cache });
}

function mapCache() {
  const map = new Map<string, Uint8Array>();
  const n = { get: 0, hit: 0, put: 0 };
  const cache: PackCache = {
    async get(key) {
      n.get++;
      const v = map.get(key);
      if (v) n.hit++;
      return v?.slice();
    },
    async put(key, data) {
      n.put++;
      map.set(key, data.slice());
    },
  };
  return { map, n, cache };
}

describe('pack cache (int8 packs kept across page loads)', () => {
  it('a second load takes the int8 pack from the cache without reading or quantising the checkpoint again', async () => {
    const { n, cache } = mapCache();
    const first = await load(hubFile('etag-a'), cache);
    expect(n).toEqual({ get: 1, hit: 0, put: 1 });
    const reads = { bytes: 0 };
    const second = await load(hubFile('etag-a', reads), cache);
    expect(n).toEqual({ get: 2, hit: 1, put: 1 });
    expect(second.externalData[0].data).toEqual(first.externalData[0].data);
    // Only the safetensors header was read (8 bytes of length + the JSON); not one weight byte.
    expect(reads.bytes).toBeLessThan(checkpoint.length - 64 * 96 * 4);
  });

  it('keys on the content: another ETag is another entry', async () => {
    const { map, cache } = mapCache();
    await load(hubFile('etag-a'), cache);
    await load(hubFile('etag-b'), cache);
    expect(map.size).toBe(2);
  });

  it('caches nothing that could go stale or is cheap: no content id, float32 packs, allowNonFinite weights', async () => {
    const { n, cache } = mapCache();
    await load(hubFile(undefined), cache);
    await load(hubFile('etag-a'), cache, { precision: 'float32' });
    await load(hubFile('etag-a'), cache, { allowNonFinite: true });
    expect(n).toEqual({ get: 0, hit: 0, put: 0 });
  });

  it('a torn entry (wrong length) is recomputed and replaced', async () => {
    const { map, n, cache } = mapCache();
    const good = await load(hubFile('etag-a'), cache);
    const [key] = [...map.keys()];
    map.set(key, new Uint8Array(10));
    const again = await load(hubFile('etag-a'), cache);
    expect(again.externalData[0].data).toEqual(good.externalData[0].data);
    expect(n.put).toBe(2);
    expect(map.get(key)).toEqual(good.externalData[0].data);
  });

  it('a failing store never fails the load', async () => {
    const broken: PackCache = {
      get: async () => {
        throw new Error('quota');
      },
      put: async () => {
        throw new Error('quota');
      },
    };
    const ok = await load(hubFile('etag-a'), broken);
    const plain = await load(hubFile('etag-a'), mapCache().cache);
    expect(ok.externalData[0].data).toEqual(plain.externalData[0].data);
  });
});
