import { readFileSync } from 'node:fs';

export { median, timeIt } from './timing.js';

/** Peak resident set size of this process so far (VmHWM), in bytes. */
export function peakRss(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    if (line) return Number.parseInt(line.replace(/\D+/g, ''), 10) * 1024;
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** Human-readable byte count for reports. */
export function fmtBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : `${(n / 1024 ** 2).toFixed(0)} MiB`;
}
