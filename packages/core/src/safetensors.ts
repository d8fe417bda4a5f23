import { MaskgenError, quote } from './errors.js';
import type { FileHandle } from './file-handle.js';
import { type NonFinitePolicy, describeNonFinite, firstNonFiniteBytes } from './finite.js';
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

/** Options of SafetensorsFile.open: cancellation, and what NaN/±Inf weights do (refused by default). */
export interface SafetensorsOpenOptions extends NonFinitePolicy {
  signal?: AbortSignal;
}

/** Bytes read per step when a tensor is scanned for NaN/±Inf without being loaded (see scanFinite). */
const SCAN_CHUNK = 16 * 1024 * 1024;

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
  /** What NaN/±Inf in this file's float tensors do: NON_FINITE (default), or a warning with allowNonFinite. */
  readonly nonFinite: NonFinitePolicy;
  private readonly scans = new Map<string, Promise<void>>();
  private readonly warned = new Set<string>();

  private constructor(
    readonly file: FileHandle,
    tensors: Map<string, TensorInfo>,
    metadata: Record<string, string>,
    policy: NonFinitePolicy,
  ) {
    this.tensors = tensors;
    this.metadata = metadata;
    this.nonFinite = { allowNonFinite: policy.allowNonFinite, onWarning: policy.onWarning };
  }

  /**
   * Reads and validates the header; never trusts lengths, offsets, dtypes or shapes in it. Tensor
   * bytes are checked for NaN/±Inf later, as they are read (read, a runtime packing them, scanFinite).
   */
  static async open(file: FileHandle, opts?: SafetensorsOpenOptions): Promise<SafetensorsFile> {
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
    return new SafetensorsFile(file, tensors, metadata, opts ?? {});
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

  /**
   * Reads one tensor; BF16/F64 are widened/narrowed to float32 so every model sees a supported dtype.
   * NaN/±Inf values (also F64 values too large for float32) are refused per the file's policy.
   */
  async read(name: string, opts?: { signal?: AbortSignal }): Promise<Tensor> {
    const t = this.info(name);
    const bytes = await this.file.read(t.offset, t.byteLength, opts);
    const out = decodeTensor(t, bytes);
    if (out.dtype === 'float32' || out.dtype === 'float16') {
      const d = out.data as Float32Array | Uint16Array;
      this.checkFinite(name, new Uint8Array(d.buffer, d.byteOffset, d.byteLength), 0, out.dtype === 'float32' ? 'F32' : 'F16');
    }
    return out;
  }

  /**
   * The weight rule: a checkpoint with NaN/±Inf in a float tensor is refused with NON_FINITE naming the
   * file, the tensor and the element (or, with allowNonFinite, reported once per tensor through
   * onWarning). `bytes` are the tensor's raw bytes from element `first` on; callers that already hold
   * the bytes (reads, runtimes packing weights) check them here, so no weight is read twice for it.
   */
  checkFinite(name: string, bytes: Uint8Array, first = 0, stDtype = this.info(name).stDtype): void {
    const i = firstNonFiniteBytes(bytes, stDtype);
    const t = this.info(name);
    if (i < 0) {
      if (first === 0 && bytes.byteLength === t.byteLength && !this.scans.has(name)) this.scans.set(name, Promise.resolve());
      return;
    }
    const at = first + i;
    const index: number[] = [];
    for (let k = t.dims.length - 1, rest = at; k >= 0; k--) (index[k] = rest % t.dims[k]), (rest = Math.floor(rest / t.dims[k]));
    const message = `weights ${quote(this.file.name, 240)}: tensor ${quote(name)} (${t.stDtype} ${quote(t.dims)}) holds ${describeNonFinite(bytes, stDtype, i)} at element ${at} (index [${index.join(', ')}])`;
    if (!this.nonFinite.allowNonFinite) {
      const error = new MaskgenError(
        'NON_FINITE',
        `${message}; the checkpoint is broken (a diverged run or a corrupted copy): fetch it again, or load it anyway with allowNonFinite (CLI: --allow-nonfinite)`,
      );
      // Remembered, so every later scan of this tensor fails the same way without reading it again.
      const failed = Promise.reject(error);
      failed.catch(() => undefined);
      this.scans.set(name, failed);
      throw error;
    }
    if (!this.warned.has(name)) {
      this.warned.add(name);
      this.nonFinite.onWarning?.(`${message}; continuing because non-finite values are allowed`);
    }
  }

  /**
   * Scans a tensor for NaN/±Inf in 16 MiB steps without keeping it, once per tensor and file: for
   * runtimes that hand weight files to the engine in place (memory-mapped), where JS never sees the
   * bytes. Tensors already read or packed through this file count as scanned.
   */
  scanFinite(name: string, opts?: { signal?: AbortSignal }): Promise<void> {
    let scan = this.scans.get(name);
    if (!scan) {
      const t = this.info(name);
      const elem = Math.max(1, safetensorsDtypeBytes(t.stDtype));
      const step = SCAN_CHUNK - (SCAN_CHUNK % elem);
      scan = (async () => {
        if (!['F32', 'F16', 'BF16', 'F64'].includes(t.stDtype)) return;
        for (let pos = 0; pos < t.byteLength; pos += step) {
          const len = Math.min(step, t.byteLength - pos);
          this.checkFinite(name, await this.file.read(t.offset + pos, len, opts), pos / elem);
        }
      })();
      this.scans.set(name, scan);
      // A failed or cancelled scan is not a scan: the next caller tries again.
      scan.catch(() => this.scans.get(name) === scan && this.scans.delete(name));
    }
    return scan;
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
