import { type DType, type FileHandle, GraphBuilder, type Runtime, SafetensorsFile, isMaskgenError, linearFrom, tensor } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { expectMaskgenError } from './expect-error.js';
import { maxAbsDiff, refLinear, testData } from './reference-math.js';
import { type FileFactory, weightsFixture } from './weights-fixture.js';

const SAMPLES: Record<DType, ArrayLike<number>> = {
  float32: [1.5, -2.25, 3e-8, 65504],
  float16: [0x3c00, 0xc000, 0x7bff, 0x0001],
  int32: [1, -2, 2147483647, -2147483648],
  int64: [1, -2, 2 ** 40, -(2 ** 50)],
  bool: [1, 0, 1, 1],
  uint8: [0, 1, 128, 255],
};

/** Session-level behaviour every runtime must share: dtypes, concurrency, dispose, abort. */
export function sessionConformance(make: () => Runtime, files: FileFactory): void {
  describe('sessions', () => {
    for (const dtype of Object.keys(SAMPLES) as DType[]) {
      it(`passes ${dtype} tensors in and out unchanged`, async () => {
        const g = new GraphBuilder(`id_${dtype}`);
        g.output(g.op1('Identity', [g.input('x', dtype, [2, 2])]), 'y', dtype);
        const s = await make().createSession(g.build());
        const x = tensor(dtype, [2, 2], SAMPLES[dtype] as never);
        const { y } = await s.run({ x });
        await s.dispose();
        expect(y.dtype).toBe(dtype);
        expect(y.dims).toEqual([2, 2]);
        expect(Array.from(y.data as ArrayLike<number | bigint>, Number)).toEqual(Array.from(x.data as ArrayLike<number | bigint>, Number));
      });
    }

    it('serves concurrent run calls on one session with the right results each', async () => {
      const { st, data } = await weightsFixture(files, { 'fc.weight': [6, 4], 'fc.bias': [6] });
      const g = new GraphBuilder('concurrent');
      g.output(linearFrom(g, st, 'fc', g.input('x', 'float32', ['b', 4])), 'y');
      const s = await make().createSession(g.build());
      const inputs = Array.from({ length: 8 }, (_, i) => testData(4 * (i + 1), 100 + i));
      const outs = await Promise.all(inputs.map((x) => s.run({ x: tensor('float32', [x.length / 4, 4], x) })));
      await s.dispose();
      outs.forEach((o, i) => {
        expect(maxAbsDiff(o.y.data as Float32Array, refLinear(inputs[i], i + 1, 4, data['fc.weight'], 6, data['fc.bias']))).toBeLessThan(1e-5);
      });
    });

    it('keeps the weights of sessions created concurrently apart', async () => {
      const fixtures = await Promise.all([0, 1, 2].map((i) => weightsFixture(files, { w: [4] }, `concurrent-${i}.safetensors`, 50 + i)));
      const sessions = await Promise.all(
        fixtures.map(({ st }, i) => {
          const g = new GraphBuilder(`same_name`);
          g.output(g.op1('Identity', [g.weight(st, 'w')]), 'y');
          return make().createSession(g.build());
        }),
      );
      const outs = await Promise.all(sessions.map((s) => s.run({})));
      await Promise.all(sessions.map((s) => s.dispose()));
      outs.forEach((o, i) => expect(maxAbsDiff(o.y.data as Float32Array, fixtures[i].data.w)).toBeLessThan(1e-4));
    });

    it('rejects runs after dispose with DISPOSED, and dispose is idempotent', async () => {
      const g = new GraphBuilder('dispose');
      g.output(g.op1('Neg', [g.input('x', 'float32', [1])]), 'y');
      const s = await make().createSession(g.build());
      await s.dispose();
      await s.dispose();
      await expect(s.run({ x: tensor('float32', [1], [1]) })).rejects.toSatisfy((e: unknown) => isMaskgenError(e, 'DISPOSED'));
    });

    it('honours AbortSignal for session creation and runs', async () => {
      const g = new GraphBuilder('abort');
      g.output(g.op1('Neg', [g.input('x', 'float32', [1])]), 'y');
      const ac = new AbortController();
      ac.abort(new Error('user cancelled'));
      await expect(make().createSession(g.build(), { signal: ac.signal })).rejects.toSatisfy((e: unknown) => isMaskgenError(e, 'ABORTED'));
      const s = await make().createSession(g.build());
      await expect(s.run({ x: tensor('float32', [1], [1]) }, { signal: ac.signal })).rejects.toSatisfy((e: unknown) => isMaskgenError(e, 'ABORTED'));
      const ok = await s.run({ x: tensor('float32', [1], [2]) });
      expect(Array.from(ok.y.data as Float32Array)).toEqual([-2]);
      await s.dispose();
    });

    it('refuses feeds that disagree with the declared inputs, naming the tensor and both shapes', async () => {
      const g = new GraphBuilder('badfeed');
      g.output(g.op1('Add', [g.input('x', 'float32', ['b', 4]), g.input('y', 'float32', ['b', 4])]), 'z');
      const s = await make().createSession(g.build());
      const f = (dims: number[], dtype: 'float32' | 'int32' = 'float32') => tensor(dtype, dims, new Array(dims.reduce((a, b) => a * b, 1)).fill(1));
      const ok = f([2, 4]);
      await expectMaskgenError(
        s.run({ x: f([2, 5]), y: ok }),
        'SHAPE_MISMATCH',
        /badfeed: input "x" is float32 \[2,5\], expected float32 \[b,4\] \(dimension 1 is 5, not 4\)/,
      );
      await expectMaskgenError(
        s.run({ x: ok, y: f([3, 4]) }),
        'SHAPE_MISMATCH',
        /input "y" is float32 \[3,4\], expected float32 \[b,4\] with b = 2 as in input "x"/,
      );
      await expectMaskgenError(s.run({ x: f([8]), y: ok }), 'SHAPE_MISMATCH', /input "x" is float32 \[8\], expected float32 \[b,4\] \(rank 1, not 2\)/);
      await expectMaskgenError(s.run({ x: f([2, 4], 'int32'), y: ok }), 'INVALID_ARGUMENT', /input "x" is int32 \[2,4\], expected float32/);
      await expectMaskgenError(s.run({ x: ok }), 'INVALID_ARGUMENT', /input "y" is missing; it takes x float32 \[b,4\], y float32 \[b,4\]/);
      await expectMaskgenError(s.run({ x: ok, y: ok, q: ok }), 'INVALID_ARGUMENT', /"q" is not one of its inputs/);
      expect(Array.from((await s.run({ x: ok, y: ok })).z.data as Float32Array)).toEqual(new Array(8).fill(2));
      await s.dispose();
    });

    it('reports a shape failure inside the graph by its input tensors, not by ONNX node names or ORT source paths', async () => {
      const g = new GraphBuilder('inner');
      g.output(g.op1('Add', [g.input('x', 'float32', ['n']), g.input('y', 'float32', ['m'])]), 'z');
      const s = await make().createSession(g.build());
      const e = await expectMaskgenError(
        s.run({ x: tensor('float32', [2], [1, 2]), y: tensor('float32', [3], [1, 2, 3]) }),
        'SHAPE_MISMATCH',
        /could not run inner: the input shapes do not fit together \((Add: )?[^;]*broadcast[^;]*\); given x float32 \[2\], y float32 \[3\]; it takes x float32 \[n\], y float32 \[m\]/,
      );
      expect(e.message).not.toMatch(/Add_|Name:'|onnxruntime_src|\.h:\d|ERROR_CODE|\n/);
      await s.dispose();
    });

    it('refuses an output that contradicts its declared shape, naming the output', async () => {
      // A Reshape to a shape given at run time: shape inference cannot replace the declared [5].
      const g = new GraphBuilder('outdecl');
      g.output(g.op1('Reshape', [g.input('x', 'float32', [2]), g.input('s', 'int64', [1])]), 'y', 'float32', [5]);
      const s = await make().createSession(g.build());
      await expectMaskgenError(
        s.run({ x: tensor('float32', [2], [1, 2]), s: tensor('int64', [1], [2]) }),
        'SHAPE_MISMATCH',
        /outdecl: output "y" is float32 \[2\], but the graph declares float32 \[5\]/,
      );
      await s.dispose();
    });
  });
}

/** A FileHandle that claims a huge size and fails the test if anything reads it. */
export function untouchableFile(size: number): FileHandle & { reads: number } {
  const h = {
    name: 'huge-untouchable.safetensors',
    size,
    reads: 0,
    async read(offset: number, length: number): Promise<Uint8Array> {
      h.reads++;
      if (offset === 0 && length === 8) {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, BigInt(HUGE_HEADER.byteLength), true);
        return b;
      }
      if (offset === 8) return HUGE_HEADER;
      throw new Error(`unexpected read of ${length} bytes at ${offset}`);
    },
  };
  return h;
}

const HUGE_N = 700_000_000;
const HUGE_HEADER = (() => {
  const raw = new TextEncoder().encode(JSON.stringify({ big: { dtype: 'F32', shape: [HUGE_N], data_offsets: [0, HUGE_N * 4] } }));
  const out = new Uint8Array(Math.ceil(raw.length / 8) * 8).fill(0x20);
  out.set(raw);
  return out;
})();

/** Graph gathering a few elements of tensor `big` from a weight set: proves large external data loads lazily. */
export async function bigGatherGraph(file: FileHandle): Promise<GraphBuilder> {
  const st = await SafetensorsFile.open(file);
  const g = new GraphBuilder('big_gather');
  g.output(g.op1('Gather', [g.weight(st, 'big'), g.input('idx', 'int64', [2])], { axis: 0 }), 'y');
  return g;
}

/** The header size the huge fake file needs, so tests can size it. */
export const HUGE_FILE_SIZE = 8 + HUGE_HEADER.byteLength + HUGE_N * 4;
