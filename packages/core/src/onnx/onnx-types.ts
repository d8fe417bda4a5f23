import type { DType } from '../tensor.js';

/** ONNX TensorProto.DataType codes for the dtypes we emit. */
export const ONNX_DTYPE: Record<DType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 };

/** safetensors dtype name → ONNX data type, for referencing weights in place. */
export const ST_TO_ONNX: Record<string, number> = { F32: 1, U8: 2, I8: 3, I16: 5, I32: 6, I64: 7, BOOL: 9, F16: 10, F64: 11, BF16: 16 };

/** Attribute values: integers by default; wrap floats as `{ f }` and float lists as `{ floats }`. */
export type AttrValue = number | readonly number[] | string | { f: number } | { floats: readonly number[] };

/** Attributes of one node. */
export type Attrs = Record<string, AttrValue | undefined>;
