import { MaskgenError, quote } from './errors.js';
import type { FileHandle } from './file-handle.js';
import { type DType, DTYPE_BYTES, type Tensor, float16ToFloat32, numel, tensor } from './tensor.js';

/** safetensors dtype names we can hand to the runtimes, and their element sizes. */
const ST_DTYPES: Record<string, { dtype: DType | 'bfloat16' | 'float64' | 'int8' | 'int16'; bytes: number }> = {
  F32: { dtype: 'float32', bytes: 4 },
  F16: { dtype: 'float16', bytes: 2 },
  BF16: { dtype: 'bfloat16', bytes: 2 },
  F64: { dtype: 'float64', bytes: 8 },
  I64: { dtype: 'int64', bytes: 8 },
  I32: { dtype: 'int32', bytes: 4 },
  I16: { dtype: 'int16', bytes: 2 },
  I8: { dtype: 'int8', bytes: 1 },
  U8: { dtype: 'uint8', bytes: 1 },
  BOOL: { dtype: 'bool', bytes: 1 },
};

/** Largest header we accept: real checkpoints stay far below; a hostile length must not allocate gigabytes. */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

/** Where one tensor lives in a safetensors file; enough to reference it in place as ONNX external data. */
export interface TensorInfo {
  readonly name: string;
  /** The file's dtype name (F32, F16, BF16, …). */
  readonly stDtype: string;
  readonly dims: readonly number[];
  /** Absolute byte offset of the data in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

function bad(file: FileHandle, msg: string): MaskgenError {
  return new MaskgenError('INVALID_SAFETENSORS', `safetensors file ${quote(file.name)}: ${msg}`);
}

/**
 * A parsed, fully validated safetensors header over a FileHandle. Tensors are read lazily by byte
 * range, so a 1.7 GB CLIP file costs only the ranges of the tensors actually used.
 */
export class SafetensorsFile {
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;

  private constructor(readonly file: FileHandle, tensors: Map<string, TensorInfo>, metadata: Record<string, string>) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Reads and validates the header; never trusts lengths, offsets, dtypes or shapes in it. */
  static async open(file: FileHandle, opts?: { signal?: AbortSignal }): Promise<SafetensorsFile> {
    if (file.size < 8) throw bad(file, `file is ${file.size} bytes, shorter than the 8-byte header length`);
    const lenBytes = await file.read(0, 8, opts);
    const headerLen = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
    if (headerLen > MAX_SAFETENSORS_HEADER) throw bad(file, `header length ${headerLen} exceeds the limit of ${MAX_SAFETENSORS_HEADER} bytes`);
    if (headerLen < 2 || 8 + headerLen > file.size) throw bad(file, `header length ${headerLen} does not fit in a file of ${file.size} bytes`);
    const headerBytes = await file.read(8, headerLen, opts);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
    } catch (cause) {
      throw new MaskgenError('INVALID_SAFETENSORS', `safetensors file ${quote(file.name)}: header is not valid UTF-8 JSON`, { cause });
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad(file, 'header must be a JSON object');
    const dataStart = 8 + headerLen;
    const dataSize = file.size - dataStart;
    const tensors = new Map<string, TensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
          throw bad(file, '__metadata__ must be an object of strings');
        }
        metadata = raw as Record<string, string>;
        continue;
      }
      tensors.set(name, parseEntry(file, name, raw, dataStart, dataSize));
    }
    // Zero-length tensors occupy no bytes: they may sit at any offset, including where another tensor starts.
    const sorted = [...tensors.values()].filter((t) => t.byteLength > 0).sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      if (prev.offset + prev.byteLength > sorted[i].offset) {
        throw bad(file, `tensors ${quote(prev.name)} and ${quote(sorted[i].name)} overlap`);
      }
    }
    return new SafetensorsFile(file, tensors, metadata);
  }

  /** True if the file holds a tensor of that name. */
  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** Looks a tensor up, with an error that lists near names when it is missing. */
  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) {
      const prefix = name.split('.').slice(0, -1).join('.');
      const near = [...this.tensors.keys()].filter((k) => prefix && k.startsWith(prefix)).slice(0, 5);
      throw new MaskgenError(
        'MISSING_WEIGHT',
        `weights ${quote(this.file.name)}: tensor ${quote(name)} not found${near.length ? `; similar: ${near.join(', ')}` : ''}`,
      );
    }
    return t;
  }

  /** Reads one tensor; BF16/F64 are widened/narrowed to float32 so every model sees a supported dtype. */
  async read(name: string, opts?: { signal?: AbortSignal }): Promise<Tensor> {
    const t = this.info(name);
    const bytes = await this.file.read(t.offset, t.byteLength, opts);
    return decodeTensor(t, bytes);
  }

  /** Reads one float tensor as float32 values, whatever its stored float dtype. */
  async readFloat32(name: string, opts?: { signal?: AbortSignal }): Promise<Float32Array> {
    const t = await this.read(name, opts);
    if (t.dtype === 'float32') return t.data as Float32Array;
    if (t.dtype === 'float16') return Float32Array.from(t.data as Uint16Array, float16ToFloat32);
    throw new MaskgenError('UNSUPPORTED_DTYPE', `tensor ${quote(name)}: expected a float dtype, got ${t.dtype}`);
  }
}

function parseEntry(file: FileHandle, name: string, raw: unknown, dataStart: number, dataSize: number): TensorInfo {
  if (typeof raw !== 'object' || raw === null) throw bad(file, `entry ${quote(name)} must be an object`);
  const { dtype, shape, data_offsets } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  // Own keys only: a dtype named "constructor" or "__proto__" must not find Object.prototype's members.
  if (typeof dtype !== 'string' || !Object.hasOwn(ST_DTYPES, dtype)) {
    throw bad(file, `tensor ${quote(name)} has dtype ${quote(dtype)}; allowed: ${Object.keys(ST_DTYPES).join(', ')}`);
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0) || shape.length > 8) {
    throw bad(file, `tensor ${quote(name)} has shape ${quote(shape)}; expected up to 8 non-negative integers`);
  }
  if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || data_offsets.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw bad(file, `tensor ${quote(name)} has data_offsets ${quote(data_offsets)}; expected [begin, end]`);
  }
  const [begin, end] = data_offsets as [number, number];
  if (begin > end || end > dataSize) {
    throw bad(file, `tensor ${quote(name)} data_offsets [${begin}, ${end}] lie outside the data section (${dataSize} bytes)`);
  }
  let count: number;
  try {
    count = numel(shape as number[]);
  } catch {
    throw bad(file, `tensor ${quote(name)} shape ${quote(shape)} has too many elements`);
  }
  const expected = count * ST_DTYPES[dtype].bytes;
  if (expected !== end - begin) {
    throw bad(file, `tensor ${quote(name)} shape ${quote(shape)} × ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
  }
  return { name, stDtype: dtype, dims: shape as number[], offset: dataStart + begin, byteLength: end - begin };
}

/** Turns raw little-endian bytes into a Tensor, copying into an aligned buffer. */
export function decodeTensor(t: TensorInfo, bytes: Uint8Array): Tensor {
  // Uint8Array's slice copies; a Node Buffer's `slice` would be a view of its whole pool.
  const copy = Uint8Array.prototype.slice.call(bytes).buffer;
  switch (t.stDtype) {
    case 'F32':
      return tensor('float32', t.dims, new Float32Array(copy));
    case 'F16':
      return tensor('float16', t.dims, new Uint16Array(copy));
    case 'I64':
      return tensor('int64', t.dims, new BigInt64Array(copy));
    case 'I32':
      return tensor('int32', t.dims, new Int32Array(copy));
    case 'U8':
      return tensor('uint8', t.dims, new Uint8Array(copy));
    case 'BOOL':
      return tensor('bool', t.dims, new Uint8Array(copy));
    case 'BF16': {
      const src = new Uint16Array(copy);
      const out = new Float32Array(src.length);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < src.length; i++) u[i] = src[i] << 16;
      return tensor('float32', t.dims, out);
    }
    case 'F64':
      return tensor('float32', t.dims, Float32Array.from(new Float64Array(copy)));
    default:
      return tensor('int32', t.dims, Int32Array.from(t.stDtype === 'I16' ? new Int16Array(copy) : new Int8Array(copy)));
  }
}

/** dtype size lookup for callers building external-data references. */
export function safetensorsDtypeBytes(stDtype: string): number {
  return (Object.hasOwn(ST_DTYPES, stDtype) ? ST_DTYPES[stDtype].bytes : undefined) ?? DTYPE_BYTES.float32;
}
