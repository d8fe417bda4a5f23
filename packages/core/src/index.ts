export { MaskgenError, describeJsonError, isMaskgenError, quote, type MaskgenErrorCode } from './errors.js';
export { CONFIG_RANGES, configNumber, describeRange, type ConfigRange } from './config-ranges.js';
export { throwIfAborted, isAbortError } from './abort.js';
export type { ProgressEvent, ProgressCallback } from './progress.js';
export {
  type DType,
  type DataTypeMap,
  type Tensor,
  numel,
  tensor,
  toNumbers,
  toFloat32,
  float16ToFloat32,
  float32ToFloat16,
} from './tensor.js';
export { type FileHandle, checkRange, memoryFile } from './file-handle.js';
export { SafetensorsFile, type SafetensorsOpenOptions, type TensorInfo } from './safetensors.js';
export type { SessionCache, SessionCacheEntry } from './session-cache.js';
export { type PackCache, fileIdentity, packCacheKey } from './pack-cache.js';
export type { Runtime, RuntimeCapabilities, Session, SessionOptions, OnnxModel, PackedOnnxModel, ExternalDataFile } from './runtime.js';
export { GraphBuilder, graphOptionsFor, type Value, type Int8Weight, type Int8Kernel, type GraphOptions } from './onnx/graph-builder.js';
export type { WeightPrecision } from './onnx/int8-weights.js';
export type { AttrValue, Attrs } from './onnx/onnx-types.js';
export {
  linear,
  linearFrom,
  layerNorm,
  layerNormFrom,
  activation,
  mlpFrom,
  chunk,
  modulate,
  gatedResidual,
  type Activation,
  type LayerNormOptions,
} from './onnx/blocks.js';
export { scaledDotProductAttention, causalMask } from './onnx/attention.js';
export { type Rng, type DrawKind, type RecordedDraw, SeededRng, ReplayRng } from './rng.js';
export { type ModelSource, type SourceOptions, readText, readJson, memorySource } from './model-source.js';
export { serialSession, type RawSession } from './serial-session.js';
export { checkFeeds, checkOutputs, describeSpecs, runFailure, type ValueSpec } from './feed-check.js';
export { encodeSafetensors } from './safetensors-writer.js';
export {
  residualAttentionBlock,
  type LinearParams,
  type NormParams,
  type ResidualAttentionBlockParams,
  type ResidualAttentionBlockOptions,
} from './onnx/residual-attention-block.js';
export { openStateDict } from './pickle/safetensors-view.js';
export { batchDim, expandToBatch, reshape, sliceAxis } from './onnx/shape-ops.js';
export { decompress, type CompressionFormat } from './decompress.js';
export { crc32 } from './crc32.js';
export { gemmFrom, modulateRows, gatedResidualRows } from './onnx/row-blocks.js';
export { checkFinite, countNonFinite, firstNonFiniteBytes, type NonFinitePolicy } from './finite.js';
