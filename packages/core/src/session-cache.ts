/**
 * One entry of a runtime's session cache: what a runtime derived from one model (for onnxruntime-node
 * the optimised graph with its pre-packed weights), kept so the next process skips that work.
 */
export interface SessionCacheEntry {
  /** The entry's key (hex): `cache rm` takes it or a unique prefix. */
  readonly id: string;
  /** The model name the graph was built as (e.g. "maskgen-vq"). */
  readonly model: string;
  /** Bytes on disk (or in browser storage). */
  readonly bytes: number;
  /** ISO time the entry was written. */
  readonly createdAt: string;
  /** Local paths of the checkpoint files the entry was derived from, so removing a model can remove its entries. */
  readonly sources: readonly string[];
  /** False for an unfinished write left by a killed process: never loaded, removed by `remove`/`clear`. */
  readonly complete: boolean;
}

/**
 * The cache a runtime keeps of built sessions. Entries are keyed by everything that could change
 * what was derived (graph bytes, weight files' identities, engine version, CPU, session options), so
 * a hit can never be stale; writes are atomic and a damaged entry is rebuilt, never loaded.
 */
export interface SessionCache {
  /** Where the entries live, for messages and `cache ls`. */
  readonly location: string;
  list(): Promise<SessionCacheEntry[]>;
  /** Removes entries by id (or unique id prefix); returns the bytes freed. */
  remove(ids: readonly string[]): Promise<number>;
}
