import { MaskgenError, quote } from '../errors.js';
import type { FileHandle } from '../file-handle.js';
import { decompress } from '../decompress.js';

/** One member of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
}

const bad = (file: FileHandle, msg: string) => new MaskgenError('INVALID_CHECKPOINT', `zip archive ${quote(file.name)}: ${msg}`);

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(v: DataView, at: number): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new MaskgenError('INVALID_CHECKPOINT', `zip64 field ${n} is beyond 2^53`);
  return Number(n);
}

/**
 * A read-only zip reader over a FileHandle (PyTorch's `torch.save` format is a zip): only the central
 * directory is read up front, members are read by byte range, so a stored multi-GB tensor costs no
 * copy. Zip64, stored and deflated members; encrypted or other methods are rejected.
 */
export class ZipArchive {
  private constructor(
    readonly file: FileHandle,
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static async open(file: FileHandle, opts?: { signal?: AbortSignal }): Promise<ZipArchive> {
    const tailLen = Math.min(file.size, 22 + 0xffff);
    if (tailLen < 22) throw bad(file, `${file.size} bytes is too short for a zip`);
    const tailStart = file.size - tailLen;
    const tail = await file.read(tailStart, tailLen, opts);
    let eocd = -1;
    for (let i = tail.byteLength - 22; i >= 0; i--) {
      if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw bad(file, 'no end-of-central-directory record (not a zip file)');
    const v = dv(tail);
    let count = v.getUint16(eocd + 10, true);
    let cdSize = v.getUint32(eocd + 12, true);
    let cdOffset = v.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || v.getUint32(loc, true) !== 0x07064b50) throw bad(file, 'zip64 locator missing');
      const recOffset = u64(v, loc + 8);
      if (recOffset + 56 > file.size) throw bad(file, 'zip64 record outside the file');
      const rec = dv(await file.read(recOffset, 56, opts));
      if (rec.getUint32(0, true) !== 0x06064b50) throw bad(file, 'zip64 end record signature mismatch');
      count = u64(rec, 32);
      cdSize = u64(rec, 40);
      cdOffset = u64(rec, 48);
    }
    if (cdOffset + cdSize > file.size || cdSize > 512 * 1024 * 1024 || count > 10_000_000) {
      throw bad(file, `central directory (${cdSize} bytes at ${cdOffset}, ${count} entries) does not fit the file`);
    }
    const cd = await file.read(cdOffset, cdSize, opts);
    return new ZipArchive(file, parseCentralDirectory(file, cd, count));
  }

  /** Where a member's bytes start in the archive (after its local header). */
  async dataOffset(entry: ZipEntry, opts?: { signal?: AbortSignal }): Promise<number> {
    if (entry.localHeaderOffset + 30 > this.file.size) throw bad(this.file, `local header of ${quote(entry.name)} is outside the file`);
    const h = dv(await this.file.read(entry.localHeaderOffset, 30, opts));
    if (h.getUint32(0, true) !== 0x04034b50) throw bad(this.file, `local header of ${quote(entry.name)} has a bad signature`);
    const start = entry.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
    if (start + entry.compressedSize > this.file.size) throw bad(this.file, `data of ${quote(entry.name)} runs past the end of the file`);
    return start;
  }

  /** Reads a whole member, inflating deflated ones with the platform's DecompressionStream. */
  async read(entry: ZipEntry, opts?: { signal?: AbortSignal; maxBytes?: number }): Promise<Uint8Array> {
    const max = opts?.maxBytes ?? 1024 * 1024 * 1024;
    if (entry.size > max) throw bad(this.file, `member ${quote(entry.name)} is ${entry.size} bytes, above the ${max}-byte limit`);
    const raw = await this.file.read(await this.dataOffset(entry, opts), entry.compressedSize, opts);
    if (entry.method === 0) return raw;
    const out = await decompress(raw, 'deflate-raw', { limit: entry.size, what: `${this.file.name}: member ${quote(entry.name)}`, code: 'INVALID_CHECKPOINT' });
    if (out.byteLength !== entry.size) throw bad(this.file, `member ${quote(entry.name)} inflates to ${out.byteLength} bytes, not the declared ${entry.size}`);
    return out;
  }
}

function parseCentralDirectory(file: FileHandle, cd: Uint8Array, count: number): Map<string, ZipEntry> {
  const v = dv(cd);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.byteLength || v.getUint32(p, true) !== 0x02014b50) throw bad(file, `central directory entry ${i} is malformed`);
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    let compressedSize = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let localHeaderOffset = v.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.byteLength) throw bad(file, `central directory entry ${i} runs past its end`);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = v.getUint16(e, true);
      const len = v.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = u64(v, q)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(v, q)), (q += 8);
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(v, q);
      }
      e += 4 + len;
    }
    if (flags & 1) throw bad(file, `member ${quote(name)} is encrypted`);
    if (method !== 0 && method !== 8) throw bad(file, `member ${quote(name)} uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    if (method === 0 && compressedSize !== size) throw bad(file, `stored member ${quote(name)} has different compressed and plain sizes`);
    if (localHeaderOffset + compressedSize > file.size) throw bad(file, `member ${quote(name)} lies outside the file`);
    entries.set(name, { name, method, compressedSize, size, crc32: v.getUint32(p + 16, true), localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
