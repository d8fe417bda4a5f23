import { type DType, MaskgenError, type Tensor } from '@maskgen/core';
import * as ort from 'onnxruntime-node';

const TO_ORT: Record<DType, ort.Tensor.Type> = {
  float32: 'float32',
  float16: 'float16',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
  uint8: 'uint8',
};

/** Core tensor → ORT tensor without copying the data. */
export function toOrt(name: string, t: Tensor): ort.Tensor {
  const type = TO_ORT[t.dtype];
  if (!type)
    throw new MaskgenError('UNSUPPORTED_DTYPE', `input ${name}: dtype ${String(t.dtype)} is not supported; allowed: ${Object.keys(TO_ORT).join(', ')}`);
  return new ort.Tensor(type, t.data as never, t.dims as number[]);
}

/** ORT tensor → core tensor (ORT already hands back typed arrays we can keep). */
export function fromOrt(name: string, t: ort.Tensor): Tensor {
  const dtype = t.type as string;
  if (!(dtype in TO_ORT))
    throw new MaskgenError('UNSUPPORTED_DTYPE', `output ${name}: ORT returned dtype ${dtype}; allowed: ${Object.keys(TO_ORT).join(', ')}`);
  let data = t.data as Tensor['data'];
  if (dtype === 'float16' && !(data instanceof Uint16Array)) data = new Uint16Array((data as unknown as ArrayBufferView).buffer);
  return { dtype: dtype as DType, dims: [...t.dims], data };
}
