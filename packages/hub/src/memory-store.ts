import { memoryFile } from '@maskgen/core';
import { blockRanges } from './block-ranges.js';
import { type EntryMeta, type FileStore, type FileWrite, keyString, parseKey } from './file-store.js';

/** Collects a streamed write's chunks in order (positioned, so a restart from 0 drops what came before). */
export class ChunkBuffer {
  private parts: Uint8Array[] = [];
  length = 0;

  write(data: Uint8Array, position: number): void {
    if (position !== this.length) this.truncate(position);
    if (position !== this.length) throw new Error(`write at ${position} leaves a gap after ${this.length} bytes`);
    this.parts.push(data.slice());
    this.length += data.byteLength;
  }

  truncate(length: number): void {
    if (length === 0) this.parts = [];
    else if (length !== this.length) this.parts = [this.bytes().subarray(0, length)];
    this.length = Math.min(length, this.length);
  }

  bytes(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0];
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    this.parts = [out];
    return out;
  }

  blob(): Blob {
    return new Blob(this.parts as BlobPart[]);
  }
}

/** A FileWrite that buffers, then hands the bytes over at commit (memory, Cache Storage). */
export function bufferedWrite(commit: (data: ChunkBuffer) => Promise<void>): FileWrite {
  const buf = new ChunkBuffer();
  return {
    resumeFrom: 0,
    replay: async () => {},
    write: async (data, position) => buf.write(data, position),
    truncate: async (length) => buf.truncate(length),
    commit: () => commit(buf),
    abort: async () => buf.truncate(0),
  };
}

/**
 * Entries kept in memory only: the store for tests and runs that need no persistence, and the fallback
 * of browser sources when persistent storage is missing or full.
 */
export function memoryStore(): FileStore {
  const entries = new Map<string, { bytes: Uint8Array; meta: EntryMeta }>();
  const store: FileStore = {
    backend: 'memory',
    async get(key) {
      const e = entries.get(keyString(key));
      return e && { handle: memoryFile(e.bytes, `${key.repoId}/${key.file}`), meta: e.meta };
    },
    async put(key, meta) {
      return bufferedWrite(async (buf) => void entries.set(keyString(key), { bytes: buf.bytes(), meta }));
    },
    has: async (key) => entries.has(keyString(key)),
    delete: async (key) => void entries.delete(keyString(key)),
    list: async () => [...entries].flatMap(([k, e]) => (parseKey(k) ? [{ key: parseKey(k)!, meta: e.meta }] : [])),
    ranges: (key, meta, block) => blockRanges(store, key, meta, block),
  };
  return store;
}
