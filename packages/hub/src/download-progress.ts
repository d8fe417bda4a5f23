import type { ProgressCallback } from '@maskgen/core';

/**
 * Turns byte counts of concurrent downloads into core ProgressEvents with per-file and overall
 * totals, throttled (every 256 KiB, and at each file's end) so a 1.7 GB file does not flood a UI.
 */
export class DownloadProgress {
  private readonly files = new Map<string, { loaded: number; total: number | undefined; emitted: number }>();

  constructor(private readonly sinks: () => (ProgressCallback | undefined)[]) {}

  /** Registers a file about to be transferred (with bytes already on disk, for resumes). */
  start(file: string, total: number | undefined, already = 0): void {
    this.files.set(file, { loaded: already, total, emitted: -Infinity });
    this.update(file, already);
  }

  /** Sets a file's loaded byte count (absolute), emitting when it moved enough (always with `force`). */
  update(file: string, loaded: number, extra?: ProgressCallback, force = false): void {
    const f = this.files.get(file);
    if (!f) return;
    f.loaded = loaded;
    const done = f.total !== undefined && loaded >= f.total;
    if (!done && !force && loaded - f.emitted < 256 * 1024) return;
    f.emitted = loaded;
    let overallLoaded = 0;
    let overallTotal = 0;
    for (const x of this.files.values()) {
      overallLoaded += x.loaded;
      overallTotal += x.total ?? x.loaded;
    }
    const event = { phase: 'download' as const, file, loaded, total: f.total, overallLoaded, overallTotal };
    for (const sink of [...this.sinks(), extra]) sink?.(event);
  }

  /**
   * Adds bytes to a file's count (range reads, whose total is unknown up front, so there is no "end" to
   * flush at): every chunk is reported, `loaded` staying the file's cumulative count as for downloads.
   */
  add(file: string, bytes: number, extra?: ProgressCallback): void {
    if (!this.files.has(file)) this.files.set(file, { loaded: 0, total: undefined, emitted: -Infinity });
    this.update(file, this.files.get(file)!.loaded + bytes, extra, true);
  }
}
