import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SafetensorsFile, encodeSafetensors, isMaskgenError, memoryFile, tensor } from '../src/index.js';

/** Opens bytes as safetensors and reads every tensor, recording the furthest byte any read touched. */
async function openAndReadAll(bytes: Uint8Array): Promise<{ ok: boolean; maxEnd: number }> {
  const inner = memoryFile(bytes, 'fuzz.safetensors');
  let maxEnd = 0;
  const h = { ...inner, read: (o: number, l: number) => ((maxEnd = Math.max(maxEnd, o + l)), inner.read(o, l)) };
  try {
    const st = await SafetensorsFile.open(h);
    for (const name of st.tensors.keys()) await st.read(name);
    return { ok: true, maxEnd };
  } catch (e) {
    if (!isMaskgenError(e)) throw e;
    return { ok: false, maxEnd };
  }
}

const headerWith = (json: string, dataLen: number): Uint8Array => {
  const j = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + j.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
  out.set(j, 8);
  return out;
};

const dims = fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: -3, max: 2 ** 31 }), fc.double()), { maxLength: 4 });
const entry = fc.record({
  dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'I32', 'U8', 'BOOL', 'F64'), fc.string()),
  shape: fc.oneof(dims, fc.anything()),
  data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -5, max: 300 }), fc.integer({ min: -5, max: 300 })), fc.anything()),
});

describe('safetensors reader under fuzzing', () => {
  it('never crashes or reads out of range on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
        const r = await openAndReadAll(bytes);
        expect(r.maxEnd).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('never crashes or reads out of range on structurally plausible hostile headers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 8 }), entry, { maxKeys: 4 }), fc.integer({ min: 0, max: 256 }), async (header, dataLen) => {
        const bytes = headerWith(JSON.stringify(header), dataLen);
        const r = await openAndReadAll(bytes);
        expect(r.maxEnd).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips any valid set of float tensors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__metadata__'),
          fc.array(fc.float({ noNaN: true }), { maxLength: 20 }),
          { maxKeys: 5 },
        ),
        async (named) => {
          const tensors = Object.fromEntries(Object.entries(named).map(([k, v]) => [k, tensor('float32', [v.length], v)]));
          // ±Infinity is among fc.float's values: let it through (the NaN/Inf rule has its own tests).
          const st = await SafetensorsFile.open(memoryFile(encodeSafetensors(tensors)), { allowNonFinite: true });
          for (const [k, v] of Object.entries(named)) expect(Array.from(await st.readFloat32(k))).toEqual(v.map(Math.fround));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('flips of single header bytes give a MaskgenError or a consistent file, never a crash', async () => {
    const good = encodeSafetensors({ a: tensor('float32', [3], [1, 2, 3]), b: tensor('int64', [1], [5]) });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), async (i, v) => {
        const bytes = good.slice();
        bytes[i] = v;
        const r = await openAndReadAll(bytes);
        expect(r.maxEnd).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 3000 },
    );
  });
});
