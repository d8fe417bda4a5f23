import { describe, expect, it } from 'vitest';
import { type FileHandle, SafetensorsFile, encodeSafetensors, isMaskgenError, memoryFile, tensor } from '../src/index.js';

function fileWithHeader(header: unknown, dataBytes = 0, lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** A handle that records every read so tests can prove no out-of-range read is attempted. */
function guarded(bytes: Uint8Array): FileHandle & { maxEnd: number } {
  const inner = memoryFile(bytes, 'hostile.safetensors');
  const h = {
    name: inner.name,
    size: inner.size,
    maxEnd: 0,
    read: (o: number, l: number) => {
      h.maxEnd = Math.max(h.maxEnd, o + l);
      return inner.read(o, l);
    },
  };
  return h;
}

async function expectInvalid(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  const h = guarded(bytes);
  const err = await SafetensorsFile.open(h).catch((e: unknown) => e);
  expect(isMaskgenError(err, 'INVALID_SAFETENSORS'), String(err)).toBe(true);
  expect((err as Error).message).toMatch(pattern);
  expect(h.maxEnd).toBeLessThanOrEqual(bytes.length);
}

describe('SafetensorsFile', () => {
  it('round-trips tensors written by encodeSafetensors and reads them lazily', async () => {
    const bytes = encodeSafetensors({
      a: tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]),
      b: tensor('int64', [2], [7, -8]),
      c: tensor('float16', [1], [0x3c00]),
    });
    const st = await SafetensorsFile.open(memoryFile(bytes));
    expect([...st.tensors.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(Array.from((await st.read('a')).data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from((await st.read('b')).data as BigInt64Array)).toEqual([7n, -8n]);
    expect(Array.from(await st.readFloat32('c'))).toEqual([1]);
  });

  it('reads from a Node Buffer sharing a pool (whose slice is a view, not a copy)', async () => {
    const pool = Buffer.alloc(4096, 7);
    const bytes = encodeSafetensors({ a: tensor('float32', [2], [1.5, -2]) });
    pool.set(bytes, 100);
    const st = await SafetensorsFile.open(memoryFile(pool.subarray(100, 100 + bytes.byteLength)));
    expect(Array.from(await st.readFloat32('a'))).toEqual([1.5, -2]);
  });

  it('names the missing tensor and similar ones', async () => {
    const st = await SafetensorsFile.open(memoryFile(encodeSafetensors({ 'blk.0.w': tensor('float32', [1], [1]) })));
    await expect(st.read('blk.0.b')).rejects.toThrow(/"blk.0.b" not found; similar: blk.0.w/);
  });

  it('rejects a file shorter than the length prefix', () => expectInvalid(new Uint8Array(5), /shorter than the 8-byte/));
  it('rejects a huge header length without allocating it', () => expectInvalid(fileWithHeader({}, 0, 2n ** 62n), /exceeds the limit/));
  it('rejects a header length past EOF', () => expectInvalid(fileWithHeader({}, 0, 1000n), /does not fit/));
  it('rejects non-JSON headers', () => expectInvalid(fileWithHeader('{not json'), /not valid UTF-8 JSON/));
  it('rejects invalid UTF-8 in the header', () => {
    const b = fileWithHeader('{"a":1}');
    b[10] = 0xff;
    return expectInvalid(b, /not valid UTF-8 JSON/);
  });
  it('rejects a non-object header', () => expectInvalid(fileWithHeader('[1,2]'), /must be a JSON object/));
  it('rejects unknown dtypes and lists the allowed ones', () =>
    expectInvalid(fileWithHeader({ x: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, 4), /dtype "Q4"; allowed: F32, F16/));
  it('rejects dtypes named after Object.prototype members', () =>
    expectInvalid(fileWithHeader({ x: { dtype: 'constructor', shape: [1], data_offsets: [0, 4] } }, 4), /dtype "constructor"; allowed: F32, F16/));
  it('accepts a zero-length tensor at the offset where another tensor starts', async () => {
    const st = await SafetensorsFile.open(
      guarded(
        fileWithHeader(
          {
            y: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
            x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            e: { dtype: 'F32', shape: [0], data_offsets: [8, 8] },
          },
          16,
        ),
      ),
    );
    expect(st.info('e').dims).toEqual([0]);
  });
  it('rejects offsets past EOF', () =>
    expectInvalid(fileWithHeader({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), /outside the data section/));
  it('rejects reversed offsets', () => expectInvalid(fileWithHeader({ x: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, 8), /outside the data section/));
  it('rejects shape/length mismatches', () =>
    expectInvalid(fileWithHeader({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /needs 12 bytes but data_offsets span 8/));
  it('rejects overlapping tensors', () =>
    expectInvalid(
      fileWithHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12),
      /overlap/,
    ));
  it('rejects negative, fractional and huge dims', async () => {
    await expectInvalid(fileWithHeader({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /shape/);
    await expectInvalid(fileWithHeader({ x: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4), /shape/);
    await expectInvalid(fileWithHeader({ x: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, 4), /too many elements|needs/);
  });
  it('rejects malformed metadata', () => expectInvalid(fileWithHeader({ __metadata__: { a: 1 } }), /__metadata__/));
  it('rejects malformed entries', async () => {
    await expectInvalid(fileWithHeader({ x: 5 }), /must be an object/);
    await expectInvalid(fileWithHeader({ x: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4), /data_offsets/);
  });
});
