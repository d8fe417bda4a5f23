import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Runtime, graphOptionsFor, SafetensorsFile, encodeSafetensors, linearFrom, memoryFile, tensor } from '../src/index.js';
import { DerivedWeights, INT8_BLOCK, quantizeBlockwiseInt8 } from '../src/onnx/int8-weights.js';

describe('quantizeBlockwiseInt8', () => {
  it('stores MatMulNBits layout: per row and 32-block, q − 128 times the block scale is within half a step of w', () => {
    const [N, K] = [5, 70];
    const w = Float32Array.from({ length: N * K }, (_, i) => Math.sin(i * 1.3) * (1 + (i % 7)) * 0.01);
    w[3] = 0.5; // one large weight only coarsens its own block
    const { q, scales } = quantizeBlockwiseInt8(w, N, K);
    const kb = Math.ceil(K / INT8_BLOCK);
    expect(q.length).toBe(N * kb * INT8_BLOCK);
    expect(scales.length).toBe(N * kb);
    for (let n = 0; n < N; n++)
      for (let k = 0; k < K; k++) {
        const b = Math.floor(k / INT8_BLOCK);
        const s = scales[n * kb + b];
        const v = (q[(n * kb + b) * INT8_BLOCK + (k % INT8_BLOCK)] - 128) * s;
        expect(Math.abs(v - w[n * K + k])).toBeLessThanOrEqual(s / 2 + 1e-9);
      }
    expect(scales[0]).toBeCloseTo(0.5 / 127, 9);
    expect(scales[1]).toBeLessThan(scales[0] / 4);
    // Padding past K dequantises to exactly 0; no id is −128 (symmetric range).
    expect(q[(0 * kb + kb - 1) * INT8_BLOCK + (K % INT8_BLOCK)]).toBe(128);
    expect(Math.min(...q)).toBeGreaterThanOrEqual(1);
  });

  it('gives all-zero blocks scale 1 and ids 128 instead of dividing by zero', () => {
    const { q, scales } = quantizeBlockwiseInt8(new Float32Array(64), 1, 64);
    expect(Array.from(scales)).toEqual([1, 1]);
    expect(q.every((v) => v === 128)).toBe(true);
  });
});

describe('int8 graphs', () => {
  const make = async (precision: 'float32' | 'int8', int8Kernel?: 'MatMulNBits' | 'DequantizeLinear') => {
    const w = Float32Array.from({ length: 512 * 256 }, (_, i) => ((i * 7919) % 1000) / 1e4 - 0.05);
    const st = await SafetensorsFile.open(
      memoryFile(encodeSafetensors({ 'l.weight': tensor('float32', [512, 256], w), 'l.bias': tensor('float32', [512], new Float32Array(512)) })),
    );
    const g = new GraphBuilder('q', { precision, int8Kernel });
    g.output(linearFrom(g, st, 'l', g.input('x', 'float32', [1, 256])), 'y');
    return { model: g.build(), w };
  };

  it('replace the float weight by ids and scales computed when the runtime reads them, a quarter of the bytes', async () => {
    const f = await make('float32');
    const q = await make('int8');
    const bytes = (m: typeof f.model) => m.externalData.reduce((s, e) => s + e.usedBytes, 0);
    expect(bytes(f.model)).toBe(512 * 256 * 4 + 512 * 4);
    expect(bytes(q.model)).toBe(512 * 256 + 512 * 8 * 4 + 512 * 4);
    const derived = q.model.externalData.find((e) => e.file instanceof DerivedWeights);
    expect(derived).toBeDefined();
    const expected = quantizeBlockwiseInt8(q.w, 512, 256);
    expect(await derived!.file.read(0, 512 * 256)).toEqual(expected.q);
    const packed = await q.model.pack();
    expect(packed.externalData[0].data.byteLength).toBeGreaterThanOrEqual(bytes(q.model));
  });

  it('abort a read of derived weights with the caller’s signal', async () => {
    const q = await make('int8');
    const derived = q.model.externalData.find((e) => e.file instanceof DerivedWeights)!;
    const ac = new AbortController();
    ac.abort();
    await expect(derived.file.read(0, 16, { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(derived.file.read(derived.file.size - 4, 8)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('take the form the runtime runs: DequantizeLinear over the same bytes (top bit flipped: q − 128 as int8) where 8-bit MatMulNBits is missing', async () => {
    const rt = (int8MatMulNBits?: boolean): Runtime => ({
      name: 'x',
      createSession: () => Promise.reject(new Error('unused')),
      ...(int8MatMulNBits === undefined ? {} : { capabilities: async () => ({ int8MatMulNBits }) }),
    });
    expect(await graphOptionsFor(rt(), 'int8')).toEqual({ precision: 'int8', int8Kernel: 'MatMulNBits' });
    expect(await graphOptionsFor(rt(true), 'int8')).toEqual({ precision: 'int8', int8Kernel: 'MatMulNBits' });
    expect(await graphOptionsFor(rt(false), 'int8')).toEqual({ precision: 'int8', int8Kernel: 'DequantizeLinear' });
    expect(await graphOptionsFor(rt(false), 'float32')).toEqual({ precision: 'float32' });
    const d = await make('int8', 'DequantizeLinear');
    const text = new TextDecoder('latin1').decode(d.model.graph);
    expect(text).toContain('DequantizeLinear');
    expect(text).not.toContain('MatMulNBits');
    const derived = d.model.externalData.find((e) => e.file instanceof DerivedWeights)!;
    expect(derived.usedBytes).toBe(512 * 256 + 512 * 8 * 4);
    const expected = quantizeBlockwiseInt8(d.w, 512, 256);
    expect(await derived.file.read(0, 512 * 256)).toEqual(expected.q.map((v) => v ^ 0x80));
  });
});
