import { MaskgenError, quote } from '../errors.js';
import type { FileHandle } from '../file-handle.js';
import { type TensorInfo, decodeTensor, safetensorsDtypeBytes } from '../safetensors.js';
import { type Tensor, float16ToFloat32, numel } from '../tensor.js';
import { type StorageRef, type TensorRef, collectTensors } from './torch-globals.js';
import { isLegacyTorch, openLegacy } from './torch-legacy.js';
import { MAX_PICKLE_BYTES, unpickle } from './unpickler.js';
import { type ZipEntry, ZipArchive } from './zip-archive.js';
import { crc32 } from '../crc32.js';

/** A tensor of a PyTorch checkpoint: what SafetensorsFile's TensorInfo says, minus file offsets. */
export interface CheckpointTensor {
  readonly name: string;
  readonly stDtype: string;
  readonly dims: readonly number[];
  readonly byteLength: number;
}

const bad = (file: FileHandle, msg: string) => new MaskgenError('INVALID_CHECKPOINT', `PyTorch checkpoint ${quote(file.name)}: ${msg}`);

function isContiguous(t: TensorRef): boolean {
  let expect = 1;
  for (let i = t.dims.length - 1; i >= 0; i--) {
    if (t.dims[i] !== 1 && t.strides[i] !== expect) return false;
    expect *= t.dims[i];
  }
  return true;
}

/** Where a checkpoint's storages live: zip members, or the legacy container's byte runs. */
export interface StorageStore {
  /** Bytes the file holds for this storage (throws when it holds none). */
  capacity(storage: StorageRef): number;
  /** Bytes [start, start+length) of a storage. */
  read(storage: StorageRef, start: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
}

/**
 * Bytes a file's views may present beyond their storages (in total). torch.load accepts zero-stride
 * (expanded) and overlapping views, so they are read; but a 4-byte storage viewed as [1e9] with stride 0
 * would be gathered into 4 GB, so past this much, the file is refused.
 */
export const MAX_VIEW_EXPANSION = 64 * 1024 * 1024;

/** Inflated deflate members kept in memory (least recently used dropped first). */
export const INFLATE_CACHE_BYTES = 512 * 1024 * 1024;

/**
 * Storages as zip members `<archive>/data/<key>`, stored (read by range) or deflated. Decompression work
 * is bounded per file: inflated members are cached up to INFLATE_CACHE_BYTES, and the bytes inflated
 * over the file's life may not pass twice the deflated members' total (plus 64 MiB), so reads that
 * alternate between members cannot turn a small file into minutes of inflating.
 */
class ZipStorages implements StorageStore {
  private readonly offsets = new Map<string, Promise<number>>();
  private readonly inflated = new Map<string, { size: number; bytes: Promise<Uint8Array> }>();
  private cachedBytes = 0;
  private work = 0;
  private readonly budget: number;
  constructor(
    private readonly file: FileHandle,
    private readonly zip: ZipArchive,
    private readonly prefix: string,
    private readonly cacheBytes = INFLATE_CACHE_BYTES,
  ) {
    let deflated = 0;
    for (const e of zip.entries.values()) if (e.method !== 0) deflated += e.size;
    this.budget = 2 * deflated + 64 * 1024 * 1024;
  }

  private inflate(entry: ZipEntry, signal?: AbortSignal): Promise<Uint8Array> {
    const hit = this.inflated.get(entry.name);
    if (hit) {
      this.inflated.delete(entry.name);
      this.inflated.set(entry.name, hit);
      return hit.bytes;
    }
    this.work += entry.size;
    if (this.work > this.budget) {
      throw bad(
        this.file,
        `decompression work passed ${this.budget} bytes (twice the deflated members) while reading ${quote(entry.name)}; the members are read in an order that keeps re-inflating them`,
      );
    }
    const bytes = this.zip.read(entry, { signal });
    if (entry.size <= this.cacheBytes) {
      for (const [k, v] of this.inflated) {
        if (this.cachedBytes + entry.size <= this.cacheBytes) break;
        this.inflated.delete(k);
        this.cachedBytes -= v.size;
      }
      this.inflated.set(entry.name, { size: entry.size, bytes });
      this.cachedBytes += entry.size;
    }
    return bytes;
  }

  private entry(s: StorageRef): ZipEntry {
    const e = this.zip.entries.get(`${this.prefix}data/${s.key}`);
    if (!e) throw bad(this.file, `storage ${quote(s.key)} has no "data/${s.key}" member`);
    return e;
  }

  capacity(s: StorageRef): number {
    return this.entry(s).size;
  }

  async read(s: StorageRef, start: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const entry = this.entry(s);
    if (entry.method === 0) {
      let off = this.offsets.get(entry.name);
      if (!off) this.offsets.set(entry.name, (off = this.zip.dataOffset(entry, { signal })));
      return this.file.read((await off) + start, length, { signal });
    }
    return (await this.inflate(entry, signal)).subarray(start, start + length);
  }
}

/** Reads a zip container's directory and its `data.pkl` (CRC-checked). */
async function openZip(file: FileHandle, opts?: { signal?: AbortSignal; inflateCacheBytes?: number }): Promise<{ root: unknown; store: StorageStore }> {
  const zip = await ZipArchive.open(file, opts);
  const pkls = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length !== 1) throw bad(file, `expected one "<archive>/data.pkl" member, found ${pkls.length}`);
  const prefix = pkls[0].slice(0, -'data.pkl'.length);
  const order = zip.entries.get(`${prefix}byteorder`);
  if (order && new TextDecoder().decode(await zip.read(order, { maxBytes: 16 })).trim() !== 'little')
    throw bad(file, 'big-endian checkpoints are not supported');
  const pklEntry = zip.entries.get(pkls[0])!;
  const pkl = await zip.read(pklEntry, { ...opts, maxBytes: MAX_PICKLE_BYTES });
  if (crc32(pkl) !== pklEntry.crc32) throw bad(file, 'data.pkl fails its CRC-32 check');
  return { root: unpickle(pkl), store: new ZipStorages(file, zip, prefix, opts?.inflateCacheBytes) };
}

/**
 * A `torch.save` state dict (`pytorch_model.bin`, `.pt`, `.pth`) read without Python and without
 * running its pickle, from either of torch's containers: the zip (torch ≥ 1.6's default: `data.pkl`
 * plus one member per storage) or the legacy stream (`_use_new_zipfile_serialization=False`: pickles
 * then raw storages). Tensors are read lazily by range like SafetensorsFile, and `asSafetensors()`
 * presents the checkpoint as a safetensors file so the graph builder references weights in place.
 */
export class TorchCheckpoint {
  readonly tensors: ReadonlyMap<string, CheckpointTensor>;

  private constructor(
    readonly file: FileHandle,
    readonly container: 'zip' | 'legacy',
    private readonly store: StorageStore,
    private readonly refs: Map<string, TensorRef>,
  ) {
    this.tensors = new Map(
      [...refs].map(([name, t]) => [name, { name, stDtype: t.stDtype, dims: t.dims, byteLength: numel(t.dims) * safetensorsDtypeBytes(t.stDtype) }]),
    );
  }

  /** Reads the container's pickle (zip or legacy, told apart by their first bytes), validating every tensor against its storage. */
  static async open(
    file: FileHandle,
    opts?: { signal?: AbortSignal /** Memory for inflated members (default INFLATE_CACHE_BYTES). */; inflateCacheBytes?: number },
  ): Promise<TorchCheckpoint> {
    const legacy = await isLegacyTorch(file, opts?.signal);
    const { root, store } = legacy ? await openLegacy(file, opts) : await openZip(file, opts);
    const refs = new Map<string, TensorRef>();
    collectTensors(root, '', refs);
    const ckpt = new TorchCheckpoint(file, legacy ? 'legacy' : 'zip', store, refs);
    let expansion = 0;
    for (const [name, t] of refs) expansion = ckpt.validate(name, t, expansion);
    return ckpt;
  }

  /** The byte span [start, end) of a tensor inside its storage. */
  private span(t: TensorRef): [number, number] {
    const elem = safetensorsDtypeBytes(t.stDtype);
    if (numel(t.dims) === 0) return [t.offset * elem, t.offset * elem];
    const last = t.dims.reduce((s, d, i) => s + (d - 1) * t.strides[i], t.offset);
    return [t.offset * elem, (last + 1) * elem];
  }

  /** Checks a view against its storage before anything is read; returns the file's view expansion so far. */
  private validate(name: string, t: TensorRef, expansion: number): number {
    const capacity = Math.min(this.store.capacity(t.storage), t.storage.numel * safetensorsDtypeBytes(t.storage.stDtype));
    const [, end] = this.span(t);
    if (end > capacity)
      throw bad(
        this.file,
        `tensor ${quote(name)} ${quote(t.dims)} (offset ${t.offset}, stride ${quote(t.strides)}) reaches byte ${end} of a ${capacity}-byte storage`,
      );
    const total = expansion + Math.max(0, this.tensors.get(name)!.byteLength - capacity);
    if (total > MAX_VIEW_EXPANSION) {
      throw bad(
        this.file,
        `tensor ${quote(name)} ${quote(t.dims)} (stride ${quote(t.strides)}) presents ${this.tensors.get(name)!.byteLength} bytes from a ${capacity}-byte storage; the file's views may expand their storages by ${MAX_VIEW_EXPANSION} bytes in all`,
      );
    }
    return total;
  }

  has(name: string): boolean {
    return this.refs.has(name);
  }

  info(name: string): CheckpointTensor {
    const t = this.tensors.get(name);
    if (!t) throw new MaskgenError('MISSING_WEIGHT', `weights ${quote(this.file.name)}: tensor ${quote(name)} not found`);
    return t;
  }

  /** Bytes [from, from+length) of a tensor in C order, little-endian (strided views are gathered). */
  async readBytes(name: string, from = 0, length?: number, opts?: { signal?: AbortSignal }): Promise<Uint8Array> {
    const info = this.info(name);
    const t = this.refs.get(name)!;
    const len = length ?? info.byteLength - from;
    const [start, end] = this.span(t);
    if (isContiguous(t)) return this.store.read(t.storage, start + from, len, opts?.signal);
    const src = await this.store.read(t.storage, start, end - start, opts?.signal);
    return gather(src, t, safetensorsDtypeBytes(t.stDtype)).subarray(from, from + len);
  }

  /** Reads one tensor; dtype handling matches SafetensorsFile.read. */
  async read(name: string, opts?: { signal?: AbortSignal }): Promise<Tensor> {
    const info = this.info(name);
    const asInfo: TensorInfo = { name, stDtype: info.stDtype, dims: info.dims, offset: 0, byteLength: info.byteLength };
    return decodeTensor(asInfo, await this.readBytes(name, 0, undefined, opts));
  }

  async readFloat32(name: string, opts?: { signal?: AbortSignal }): Promise<Float32Array> {
    const t = await this.read(name, opts);
    if (t.dtype === 'float32') return t.data as Float32Array;
    if (t.dtype === 'float16') return Float32Array.from(t.data as Uint16Array, float16ToFloat32);
    throw new MaskgenError('UNSUPPORTED_DTYPE', `tensor ${quote(name)}: expected a float dtype, got ${t.dtype}`);
  }
}

/** Copies a strided view (starting at its first element in `src`) into C order. */
function gather(src: Uint8Array, t: TensorRef, elem: number): Uint8Array {
  const n = numel(t.dims);
  const out = new Uint8Array(n * elem);
  const idx = new Array<number>(t.dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < idx.length; k++) off += idx[k] * t.strides[k];
    out.set(src.subarray(off * elem, off * elem + elem), i * elem);
    for (let k = idx.length - 1; k >= 0 && ++idx[k] === t.dims[k]; k--) idx[k] = 0;
  }
  return out;
}
