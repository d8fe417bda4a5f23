import { MaskgenError, quote } from '@maskgen/core';

/** Limits every transfer runs under besides the stall timer; see docs/reliability.md. */
export interface TransferLimits {
  /** Overall deadline of one file's download, resumes included. */
  deadlineMs: number;
  /** Slowest accepted average rate over `rateWindowMs`; slower bodies are cut off and retried. */
  minBytesPerSecond: number;
  rateWindowMs: number;
}

/** 6 hours, and at least 4 KiB/s averaged over a minute. */
export const DEFAULT_TRANSFER_LIMITS: TransferLimits = { deadlineMs: 6 * 3600_000, minBytesPerSecond: 4096, rateWindowMs: 60_000 };

/** What every "this transfer had to end" message advises. */
export const LIMITS_ADVICE = 'try again later or use a mirror (HF_ENDPOINT); the limits are MASKGEN_HUB_DOWNLOAD_DEADLINE and MASKGEN_HUB_MIN_RATE';

/** The minimum-progress rule: bytes received per window, judged when a window has passed. */
export class RateWindow {
  private start = Date.now();
  private bytes = 0;
  constructor(private readonly limits: TransferLimits) {}
  reset(): void {
    this.start = Date.now();
    this.bytes = 0;
  }
  /** Counts a chunk; returns why the transfer is too slow, or undefined. */
  add(n: number): string | undefined {
    this.bytes += n;
    const elapsed = Date.now() - this.start;
    if (elapsed < this.limits.rateWindowMs) return undefined;
    const rate = (this.bytes * 1000) / elapsed;
    this.reset();
    return rate < this.limits.minBytesPerSecond
      ? `too slow: ${rate.toFixed(1)} bytes/s over ${(elapsed / 1000).toFixed(1)} s, below the minimum of ${this.limits.minBytesPerSecond} bytes/s`
      : undefined;
  }
}

/** A rejected download; `changed` marks "the server now serves other content than announced": re-resolve. */
export function corrupt(repoId: string, file: string, why: string, changed = false): MaskgenError {
  const e = new MaskgenError('DOWNLOAD_CORRUPT', `download of ${quote(file)} from ${repoId} was rejected: ${why}; nothing was cached, try again`);
  if (changed) Object.assign(e, { etagChanged: true });
  return e;
}

/** Marks "the server now serves other content than the metadata announced": re-resolve and start over. */
export function etagChanged(e: unknown): boolean {
  return (e as { etagChanged?: boolean })?.etagChanged === true;
}
