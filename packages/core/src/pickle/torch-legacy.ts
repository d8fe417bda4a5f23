import { MaskgenError, quote } from '../errors.js';
import type { FileHandle } from '../file-handle.js';
import { safetensorsDtypeBytes } from '../safetensors.js';
import type { StorageStore } from './torch-checkpoint.js';
import { type StorageRef, type TensorRef, collectTensors } from './torch-globals.js';
import { MAX_PICKLE_BYTES, isTruncatedPickle, unpickleAt } from './unpickler.js';

/** torch's legacy magic number (0x1950a86a20f9469cfc6c), pickled first in every legacy file. */
const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL = 1001;
const MAX_STORAGES = 10_000_000;

const bad = (file: FileHandle, msg: string) => new MaskgenError('INVALID_CHECKPOINT', `PyTorch legacy checkpoint ${quote(file.name)}: ${msg}`);

/**
 * True when the file starts like torch's legacy container: a pickle PROTO opcode then a LONG1 (the
 * magic number, checked when read) (what `torch.save(..., _use_new_zipfile_serialization=False)` writes).
 */
export async function isLegacyTorch(file: FileHandle, signal?: AbortSignal): Promise<boolean> {
  if (file.size < 3) return false;
  const b = await file.read(0, 3, { signal });
  return b[0] === 0x80 && b[1] >= 2 && b[1] <= 5 && b[2] === 0x8a;
}

/** The five pickles at the head of a legacy file, parsed from `bytes` (throws a truncation when they run past it). */
function parseHead(file: FileHandle, bytes: Uint8Array): { root: unknown; keys: string[]; dataStart: number } {
  const magic = unpickleAt(bytes, 0);
  if (magic.value !== MAGIC) throw bad(file, `magic number ${quote(String(magic.value))} is not torch's (${MAGIC})`);
  const protocol = unpickleAt(bytes, magic.end);
  if (protocol.value !== PROTOCOL) throw bad(file, `protocol ${quote(protocol.value)} is not ${PROTOCOL}`);
  const sys = unpickleAt(bytes, protocol.end);
  if (!(sys.value instanceof Map)) throw bad(file, `sys info ${quote(sys.value)} is not a dict`);
  if (sys.value.get('little_endian') === false) throw bad(file, 'big-endian checkpoints are not supported');
  const root = unpickleAt(bytes, sys.end);
  const keys = unpickleAt(bytes, root.end);
  if (!Array.isArray(keys.value) || keys.value.some((k) => typeof k !== 'string') || keys.value.length > MAX_STORAGES) {
    throw bad(file, `the storage key list ${quote(keys.value, 60)} is not a list of strings`);
  }
  return { root: root.value, keys: keys.value as string[], dataStart: keys.end };
}

/** Storages as byte runs after the pickles: each an int64 element count then its raw bytes. */
class LegacyStorages implements StorageStore {
  constructor(
    private readonly file: FileHandle,
    private readonly starts: ReadonlyMap<string, { at: number; bytes: number }>,
  ) {}
  capacity(s: StorageRef): number {
    const run = this.starts.get(s.key);
    if (!run) throw bad(this.file, `storage ${quote(s.key)} is not in the storage key list`);
    return run.bytes;
  }
  read(s: StorageRef, start: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.file.read(this.starts.get(s.key)!.at + start, length, { signal });
  }
}

/**
 * Reads a legacy container: magic number, protocol, sys info, the pickled state dict (through the
 * same restricted unpickler as the zip's `data.pkl`), the storage keys, then walks the storages'
 * size headers, checking each against the size its tensors' pickle declared and against the file's end.
 */
export async function openLegacy(file: FileHandle, opts?: { signal?: AbortSignal }): Promise<{ root: unknown; store: StorageStore }> {
  let head: ReturnType<typeof parseHead> | undefined;
  for (let window = Math.min(file.size, 1 << 20); !head; window = Math.min(file.size, window * 8, MAX_PICKLE_BYTES)) {
    try {
      head = parseHead(file, await file.read(0, window, opts));
    } catch (e) {
      if (!isTruncatedPickle(e)) throw e;
      if (window >= file.size) throw bad(file, `truncated: the file (${file.size} bytes) ends inside its pickles`);
      if (window >= MAX_PICKLE_BYTES) throw bad(file, `its pickles exceed the ${MAX_PICKLE_BYTES}-byte limit`);
    }
  }
  const refs = new Map<string, TensorRef>();
  collectTensors(head.root, '', refs);
  const storages = new Map<string, StorageRef>();
  for (const t of refs.values()) storages.set(t.storage.key, t.storage);
  const starts = new Map<string, { at: number; bytes: number }>();
  let at = head.dataStart;
  for (const key of head.keys) {
    const s = storages.get(key);
    if (!s) throw bad(file, `storage ${quote(key)} is listed but no tensor uses it`);
    if (starts.has(key)) throw bad(file, `storage ${quote(key)} is listed twice`);
    if (at + 8 > file.size) throw bad(file, `truncated: storage ${quote(key)} starts at byte ${at} of a ${file.size}-byte file`);
    const head = await file.read(at, 8, opts);
    const count = new DataView(head.buffer, head.byteOffset, 8).getBigInt64(0, true);
    if (count !== BigInt(s.numel)) throw bad(file, `storage ${quote(key)} holds ${count} elements but its tensors' pickle says ${s.numel}`);
    const bytes = s.numel * safetensorsDtypeBytes(s.stDtype);
    if (at + 8 + bytes > file.size)
      throw bad(file, `truncated: storage ${quote(key)} (${bytes} bytes at byte ${at + 8}) runs past the end of the ${file.size}-byte file`);
    starts.set(key, { at: at + 8, bytes });
    at += 8 + bytes;
  }
  for (const key of storages.keys()) if (!starts.has(key)) throw bad(file, `storage ${quote(key)} is used by a tensor but missing from the storage key list`);
  return { root: head.root, store: new LegacyStorages(file, starts) };
}
