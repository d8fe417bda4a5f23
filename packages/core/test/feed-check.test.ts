import { describe, expect, it } from 'vitest';
import { type Tensor, type ValueSpec, checkFeeds, checkOutputs, isMaskgenError, runFailure, tensor } from '../src/index.js';

const X: ValueSpec = { name: 'x', isTensor: true, type: 'float32', shape: ['b', 4] };
const IDS: ValueSpec = { name: 'ids', isTensor: true, type: 'int64', shape: ['b', 2 ** 32 - 1] }; // web's unknown dim
const f = (dims: number[]) => tensor('float32', dims);
const i64 = (dims: number[]) => tensor('int64', dims);

function refused(run: () => void): string {
  try {
    run();
  } catch (e) {
    expect(isMaskgenError(e), String(e)).toBe(true);
    return `${(e as { code: string }).code} ${(e as Error).message}`;
  }
  throw new Error('expected a refusal');
}

describe('checkFeeds: feeds against the declared inputs, by tensor name', () => {
  it.each<[string, Record<string, Tensor>, RegExp]>([
    [
      'wrong fixed dim',
      { x: f([1, 3]), ids: i64([1, 7]) },
      /^SHAPE_MISMATCH model m: input "x" is float32 \[1,3\], expected float32 \[b,4\] \(dimension 1 is 3, not 4\)$/,
    ],
    ['wrong rank', { x: f([4]), ids: i64([1, 7]) }, /^SHAPE_MISMATCH .*input "x" is float32 \[4\], expected float32 \[b,4\] \(rank 1, not 2\)/],
    [
      'symbol bound twice',
      { x: f([2, 4]), ids: i64([3, 7]) },
      /^SHAPE_MISMATCH .*input "ids" is int64 \[3,7\], expected int64 \[b,\?\] with b = 2 as in input "x" \(dimension 0 is 3\)/,
    ],
    ['wrong dtype', { x: i64([1, 4]), ids: i64([1, 7]) }, /^INVALID_ARGUMENT .*input "x" is int64 \[1,4\], expected float32$/],
    ['missing', { x: f([1, 4]) }, /^INVALID_ARGUMENT .*input "ids" is missing; it takes x float32 \[b,4\], ids int64 \[b,\?\]/],
    ['unknown name', { x: f([1, 4]), ids: i64([1, 7]), extra: f([1]) }, /^INVALID_ARGUMENT .*"extra" is not one of its inputs/],
  ])('%s', (_, feeds, message) => expect(refused(() => checkFeeds('m', [X, IDS], feeds))).toMatch(message));

  it('accepts any size for unknown dims (-1 from onnxruntime-node, 2^32-1 from onnxruntime-web) and unshaped inputs', () => {
    checkFeeds('m', [X, IDS, { name: 'n', isTensor: true, type: 'float32', shape: [-1] }, { name: 's', type: 'float32', shape: [] }], {
      x: f([5, 4]),
      ids: i64([5, 99]),
      n: f([3]),
      s: f([2, 2]),
    });
  });
  it('checkOutputs refuses a contradicted fixed dim or dtype, never a symbolic or unknown one', () => {
    expect(refused(() => checkOutputs('m', [{ name: 'y', type: 'float32', shape: [5] }], { y: f([2]) }))).toMatch(
      /^SHAPE_MISMATCH model m: output "y" is float32 \[2\], but the graph declares float32 \[5\]$/,
    );
    checkOutputs('m', [{ name: 'y', type: 'float32', shape: ['b', 2 ** 32 - 1] }], { y: f([3, 9]) });
  });
});

describe("runFailure: engine failures in the model's terms", () => {
  it.each([
    [
      'onnxruntime-node',
      "Non-zero status code returned while running Add node. Name:'Add_add_0' Status Message: /onnxruntime_src/onnxruntime/core/providers/cpu/math/element_wise_ops.h:583 void onnxruntime::BroadcastIterator::Append(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3\n",
      /^onnxruntime-node could not run m: the input shapes do not fit together \(Add: axis == 1 \|\| axis == largest was false\. Attempting to broadcast an axis by a dimension other than 1\. 2 by 3\); given x float32 \[2\]; it takes x float32 \[b,4\]$/,
    ],
    [
      'onnxruntime-web',
      'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure/_work/1/s/onnxruntime/core/providers/cpu/tensor/reshape_helper.h:47 onnxruntime::ReshapeHelper::ReshapeHelper(const TensorShape &, TensorShapeVector &, bool) input_shape_size == size was false. The input tensor cannot be reshaped to the requested shape. Input shape:{2}, requested shape:{3}',
      /^onnxruntime-web could not run m: the input shapes do not fit together \(input_shape_size == size was false\. The input tensor cannot be reshaped to the requested shape\. Input shape:\{2\}, requested shape:\{3\}\)/,
    ],
    [
      'onnxruntime-web (webgpu)',
      '[WebGPU] Kernel "[Split] Split_split_425" failed. Program Split has zero-sized tensor(s)',
      /^onnxruntime-web \(webgpu\) could not run m: the input shapes do not fit together \(Split: Program Split has zero-sized tensor\(s\)\)/,
    ],
  ])('%s', (runtime, message, want) => {
    const e = runFailure(runtime, 'm', new Error(message), { x: f([2]) }, [X]);
    expect(e.message).toMatch(want);
    expect(e.code).toBe('SHAPE_MISMATCH');
  });
  it('other failures stay RUNTIME, with the cause kept', () => {
    const cause = new Error('bad_alloc');
    const e = runFailure('onnxruntime-node', 'm', cause, {});
    expect([e.code, e.message, e.cause]).toEqual(['RUNTIME', 'onnxruntime-node could not run m: the run failed (bad_alloc); given no inputs', cause]);
  });
});
