import type { ProgressEvent } from '@maskgen/core';

function fmtBytes(n: number): string {
  const u = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}

/**
 * Renders progress events as one redrawn bar per phase on a TTY (downloads in bytes, sampling in
 * steps with an ETA), or as occasional plain lines when stderr is a file or pipe.
 */
export class ProgressBars {
  private starts = new Map<string, number>();
  private lastPlain = new Map<string, number>();

  constructor(private readonly out: NodeJS.WriteStream = process.stderr, private readonly quiet = false) {}

  handle = (e: ProgressEvent): void => {
    if (this.quiet) return;
    const key = e.phase === 'download' ? `download ${e.file}` : e.phase === 'load' ? `load ${e.what}` : e.phase;
    const now = Date.now();
    if (!this.starts.has(key)) this.starts.set(key, now);
    const [done, total] = e.phase === 'download' ? [e.loaded, e.total ?? 0] : e.phase === 'sample' ? [e.step, e.total] : [e.done, e.total];
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const elapsed = (now - this.starts.get(key)!) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Number.NaN;
    const amount = e.phase === 'download' ? `${fmtBytes(done)}/${total ? fmtBytes(total) : '?'}` : `${done}/${total}`;
    const width = 24;
    const bar = `${'█'.repeat(Math.round(frac * width))}${'░'.repeat(width - Math.round(frac * width))}`;
    const line = `${key.padEnd(28).slice(0, 28)} ${bar} ${amount.padStart(18)} ${(frac * 100).toFixed(0).padStart(3)}% eta ${fmtTime(eta)}`;
    const finished = total > 0 && done >= total;
    if (this.out.isTTY) {
      this.out.write(`\r${line}\x1b[K${finished ? '\n' : ''}`);
    } else if (finished || now - (this.lastPlain.get(key) ?? 0) > 2000) {
      this.lastPlain.set(key, now);
      this.out.write(`${line}\n`);
    }
  };
}
