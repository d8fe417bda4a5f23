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

/** `HF_HUB_DISABLE_PROGRESS_BARS`/`NO_COLOR` values that mean "on" (huggingface_hub's and no-color.org's rules). */
export function envFlag(value: string | undefined, anyNonEmpty = false): boolean {
  if (value === undefined || value === '') return false;
  return anyNonEmpty || ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** Where progress goes and how: a subset of a tty.WriteStream, so tests can pass a fake. */
export interface ProgressOut {
  isTTY?: boolean;
  write(s: string): unknown;
}

/**
 * Renders progress events as one redrawn bar per phase on a TTY (downloads in bytes, sampling in
 * steps with an ETA), or as exactly one plain line per finished phase when stderr is a file or pipe.
 * `HF_HUB_DISABLE_PROGRESS_BARS` silences it like `-q` (as in huggingface_hub); `NO_COLOR` keeps a
 * TTY free of escape sequences. Downloads of unknown size show bytes only, never "?" or "0%".
 */
export class ProgressBars {
  private starts = new Map<string, number>();
  private finished = new Set<string>();
  private open = new Map<string, string>();
  private readonly quiet: boolean;
  private readonly plainTty: boolean;

  constructor(
    private readonly out: ProgressOut = process.stderr,
    quiet = false,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.quiet = quiet || envFlag(env.HF_HUB_DISABLE_PROGRESS_BARS);
    this.plainTty = envFlag(env.NO_COLOR, true) || env.TERM === 'dumb';
  }

  handle = (e: ProgressEvent): void => {
    if (this.quiet) return;
    const key = e.phase === 'download' ? `download ${e.file}` : e.phase === 'load' ? `load ${e.what}` : e.phase;
    if (this.finished.has(key)) return;
    const now = Date.now();
    if (!this.starts.has(key)) this.starts.set(key, now);
    const [done, total] = e.phase === 'download' ? [e.loaded, e.total ?? 0] : e.phase === 'sample' ? [e.step, e.total] : [e.done, e.total];
    const known = total > 0;
    const frac = known ? Math.min(1, done / total) : 0;
    const elapsed = (now - this.starts.get(key)!) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Number.NaN;
    const amount = e.phase === 'download' ? (known ? `${fmtBytes(done)}/${fmtBytes(total)}` : fmtBytes(done)) : `${done}/${total}`;
    const finished = known && done >= total;
    this.flushOthers(key);
    if (this.out.isTTY) {
      const width = 24;
      const bar = known ? `${'█'.repeat(Math.round(frac * width))}${'░'.repeat(width - Math.round(frac * width))}` : ' '.repeat(width);
      const line = `${key.padEnd(28).slice(0, 28)} ${bar} ${amount.padStart(18)} ${known ? `${(frac * 100).toFixed(0).padStart(3)}% eta ${fmtTime(eta)}` : ''}`;
      this.out.write(this.plainTty ? `\r${line.padEnd(90)}${finished ? '\n' : ''}` : `\r${line}\x1b[K${finished ? '\n' : ''}`);
      if (!finished) this.open.set(key, '');
    } else if (finished) {
      this.out.write(`${key}: ${amount} in ${elapsed.toFixed(1)} s\n`);
    } else if (!known) this.open.set(key, `${key}: ${amount}`);
    if (finished) {
      this.finished.add(key);
      this.open.delete(key);
    }
  };

  /** A phase of unknown length ends when another one reports: its last state becomes its one line. */
  private flushOthers(key: string): void {
    for (const [k, last] of this.open) {
      if (k === key) continue;
      this.open.delete(k);
      this.finished.add(k);
      this.out.write(this.out.isTTY ? '\n' : `${last}\n`);
    }
  }

  /**
   * Starts the next model call of a run (a `--prompts` batch): its per-image phases (text encoding,
   * sampling, decoding) report afresh, each with its own line on a pipe; downloads and loads happen
   * once per process and stay finished.
   */
  nextRun(): void {
    this.close();
    for (const k of [...this.finished, ...this.starts.keys()]) {
      if (k.startsWith('download ') || k.startsWith('load ')) continue;
      this.finished.delete(k);
      this.starts.delete(k);
    }
  }

  /** Ends any phase still open (call once the work is done). */
  close(): void {
    this.flushOthers('');
  }
}
