import { type DType, MaskgenError, type Tensor } from '@maskgen/core';
import * as ort from 'onnxruntime-web';

const DTYPES: readonly DType[] = ['float32', 'float16', 'int32', 'int64', 'bool', 'uint8'];

/** Core tensor → onnxruntime-web tensor without copying. */
export function toOrt(name: string, t: Tensor): ort.Tensor {
  if (!DTYPES.includes(t.dtype))
    throw new MaskgenError('UNSUPPORTED_DTYPE', `input ${name}: dtype ${String(t.dtype)} is not supported; allowed: ${DTYPES.join(', ')}`);
  return new ort.Tensor(t.dtype, t.data as never, t.dims as number[]);
}

/** onnxruntime-web tensor → core tensor. */
export function fromOrt(name: string, t: ort.Tensor): Tensor {
  const dtype = t.type as DType;
  if (!DTYPES.includes(dtype)) throw new MaskgenError('UNSUPPORTED_DTYPE', `output ${name}: ORT returned dtype ${dtype}; allowed: ${DTYPES.join(', ')}`);
  let data = t.data as Tensor['data'];
  if (dtype === 'float16' && !(data instanceof Uint16Array)) data = new Uint16Array((data as unknown as ArrayBufferView).buffer);
  return { dtype, dims: [...t.dims], data };
}
