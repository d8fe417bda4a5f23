import { MaskgenError } from './errors.js';

/**
 * Random access to one file (local, remote by HTTP range, in memory, in a browser cache).
 * Weight files are gigabytes: everything reads byte ranges instead of whole files.
 */
export interface FileHandle {
  /** A name for messages (file name or URL); never used to open anything. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Reads exactly `length` bytes at `offset`; rejects ranges outside the file. */
  read(offset: number, length: number, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Set when the file exists on the local file system, so native runtimes can map it in place. */
  readonly localPath?: string;
  /**
   * What the bytes are, where the source knows it without reading them: the hub's ETag (the sha256 of
   * an LFS file). Equal ids mean equal bytes, so caches of what is derived from a file key on it.
   */
  readonly contentId?: string;
  /**
   * Set on handles whose bytes are computed from other files (int8 weights from a float32
   * checkpoint): those files and a recipe name that changes whenever the computation does, so a
   * cache can key on the sources instead of computing the bytes.
   */
  readonly derivedFrom?: { readonly files: readonly FileHandle[]; readonly recipe: string };
  /** Releases OS resources; optional because most handles hold none. */
  close?(): Promise<void>;
}

/** Validates a requested range against a file size; shared by every FileHandle implementation. */
export function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new MaskgenError('INVALID_ARGUMENT', `read of ${name}: range [${offset}, ${offset}+${length}) is outside the file (size ${size})`);
  }
}

/** A FileHandle over bytes already in memory (tests, browser downloads, small generated files). */
export function memoryFile(bytes: Uint8Array, name = 'memory'): FileHandle {
  return {
    name,
    size: bytes.byteLength,
    async read(offset, length) {
      checkRange(name, bytes.byteLength, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}
