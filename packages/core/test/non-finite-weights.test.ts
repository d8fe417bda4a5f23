import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  type MaskgenErrorCode,
  SafetensorsFile,
  encodeSafetensors,
  firstNonFiniteBytes,
  isMaskgenError,
  memoryFile,
  tensor,
} from '../src/index.js';

/** (core cannot use @maskgen/test-utils, which depends on it.) */
async function expectMaskgenError(p: Promise<unknown>, code: MaskgenErrorCode, message: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(isMaskgenError(e, code), String(e)).toBe(true);
  expect((e as Error).message).toMatch(message);
}

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const u16 = (values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);
const f64 = (values: number[]) => new Uint8Array(Float64Array.from(values).buffer);

/** A safetensors file of one tensor `w` with raw `bytes` of `dtype` (any dtype, unlike encodeSafetensors). */
function rawFile(dtype: string, dims: number[], bytes: Uint8Array, name = 'broken.safetensors') {
  const json = new TextEncoder().encode(JSON.stringify({ w: { dtype, shape: dims, data_offsets: [0, bytes.byteLength] } }));
  const out = new Uint8Array(8 + json.byteLength + bytes.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(bytes, 8 + json.byteLength);
  return memoryFile(out, name);
}

describe('firstNonFiniteBytes: one mask per element, by dtype', () => {
  it.each([
    ['F32 NaN', f32([1, 2, Number.NaN]), 'F32', 2],
    ['F32 -Inf', f32([Number.NEGATIVE_INFINITY]), 'F32', 0],
    ['F32 largest finite', f32([3.4028234663852886e38, -3.4028234663852886e38, 1e-45]), 'F32', -1],
    ['F16 Inf (0x7c00)', u16([0x3c00, 0x7c00]), 'F16', 1],
    ['F16 NaN (0xfe00)', u16([0xfe00]), 'F16', 0],
    ['F16 65504 (0x7bff)', u16([0x7bff, 0xfbff]), 'F16', -1],
    ['BF16 NaN (0x7fc0)', u16([0x3f80, 0x3f80, 0x7fc0]), 'BF16', 2],
    ['BF16 -Inf (0xff80)', u16([0xff80]), 'BF16', 0],
    ['BF16 largest (0x7f7f)', u16([0x7f7f]), 'BF16', -1],
    ['F64 Inf', f64([0, Number.POSITIVE_INFINITY]), 'F64', 1],
    ['I32 with NaN bits is an integer', new Uint8Array(Int32Array.from([0x7fc00000]).buffer), 'I32', -1],
    ['BOOL', new Uint8Array([255, 255]), 'BOOL', -1],
    ['unaligned F32 bytes', f32([0, 0, Number.NaN]).subarray(0, 12).slice(0), 'F32', 2],
  ])('%s', (_, bytes, dtype, want) => expect(firstNonFiniteBytes(bytes as Uint8Array, dtype as string)).toBe(want));

  it('reads unaligned views (a subarray of a zip member) the same as aligned ones', () => {
    const pool = new Uint8Array(1 + 12);
    pool.set(f32([1, Number.POSITIVE_INFINITY, 2]), 1);
    expect(firstNonFiniteBytes(pool.subarray(1), 'F32')).toBe(1);
  });
});

describe('NaN/±Inf weights are refused as they are read, naming file, tensor and element', () => {
  it.each([
    ['F32', [2, 3], f32([0, 1, 2, 3, Number.NaN, 5]), /"broken.safetensors": tensor "w" \(F32 \[2,3\]\) holds NaN at element 4 \(index \[1, 1\]\)/],
    ['F16', [4], u16([0, 0, 0, 0xfc00]), /tensor "w" \(F16 \[4\]\) holds -Infinity at element 3 \(index \[3\]\)/],
    ['BF16', [1, 2], u16([0x3f80, 0x7f80]), /tensor "w" \(BF16 \[1,2\]\) holds Infinity at element 1 \(index \[0, 1\]\)/],
    // float64 is narrowed to float32 for the models: 1e300 becomes Infinity there, so it is refused too.
    ['F64', [2], f64([1, 1e300]), /tensor "w" \(F64 \[2\]\) holds Infinity at element 1/],
  ])('%s', async (dtype, dims, bytes, message) => {
    const st = await SafetensorsFile.open(rawFile(dtype, dims, bytes));
    await expectMaskgenError(st.read('w'), 'NON_FINITE', message);
    await expectMaskgenError(st.scanFinite('w'), 'NON_FINITE', /tensor "w"/);
  });

  it('integer tensors are never scanned, and finite floats pass', async () => {
    const st = await SafetensorsFile.open(rawFile('I32', [1], new Uint8Array(Int32Array.from([0x7f800000]).buffer)));
    expect((await st.read('w')).data[0]).toBe(0x7f800000);
    await st.scanFinite('w');
  });

  it('allowNonFinite loads the tensor and warns once per tensor', async () => {
    const warnings: string[] = [];
    const st = await SafetensorsFile.open(rawFile('F32', [2], f32([Number.NaN, 1])), { allowNonFinite: true, onWarning: (m) => warnings.push(m) });
    expect(Number.isNaN((await st.read('w')).data[0])).toBe(true);
    await st.read('w');
    await st.scanFinite('w');
    expect(warnings).toEqual([expect.stringMatching(/tensor "w" .* holds NaN at element 0.*continuing because non-finite values are allowed/)]);
  });

  it('scanFinite streams big tensors in steps and gives the element index across steps', async () => {
    const n = 5_000_000; // 20 MB: two 16 MiB steps
    const values = new Float32Array(n);
    values[4_500_001] = Number.POSITIVE_INFINITY;
    const file = rawFile('F32', [n], new Uint8Array(values.buffer));
    const reads: number[] = [];
    const st = await SafetensorsFile.open({ ...file, read: (o, l, opts) => (reads.push(l), file.read(o, l, opts)) });
    reads.length = 0;
    await expectMaskgenError(st.scanFinite('w'), 'NON_FINITE', /holds Infinity at element 4500001/);
    expect(Math.max(...reads)).toBeLessThanOrEqual(16 * 1024 * 1024);
    // The verdict is kept: a second session on the same file fails without reading it again.
    reads.length = 0;
    await expectMaskgenError(st.scanFinite('w'), 'NON_FINITE', /element 4500001/);
    expect(reads).toEqual([]);
  });

  it('a packed graph checks the weights it packs; scanWeights checks the ones a runtime maps in place', async () => {
    const st = await SafetensorsFile.open(
      memoryFile(encodeSafetensors({ good: tensor('float32', [2], [1, 2]), bad: tensor('float32', [2], [1, Number.NaN]) }), 'model.safetensors'),
    );
    const graph = (names: string[]) => {
      const g = new GraphBuilder('scan');
      names.forEach((n) => g.output(g.op1('Identity', [g.weight(st, n)]), `y_${n}`));
      return g.build();
    };
    await graph(['good']).pack();
    await graph(['good']).scanWeights!();
    await expectMaskgenError(graph(['good', 'bad']).pack(), 'NON_FINITE', /"model.safetensors": tensor "bad" .* NaN at element 1/);
    await expectMaskgenError(graph(['bad']).scanWeights!(), 'NON_FINITE', /tensor "bad"/);
  });
});
