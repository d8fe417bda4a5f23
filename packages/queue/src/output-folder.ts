import { encodePng } from '@maskgen/image';
import type { PromptItem, RgbaImage } from '@maskgen/pipeline';
import { appendFile, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from './safe-write.js';

export { describeKind, fsError, notRegular, writeAtomic } from './safe-write.js';

/** One line of `results.jsonl`: what was asked, the seed that reproduces it alone, and where it went. */
export interface ResultRecord {
  index: number;
  line: number;
  image: number;
  prompt: string;
  seed: number;
  file: string;
  model: string;
  settings: Record<string, unknown>;
  /** Queue runs: the job id (a content hash of the item) and the worker that wrote it. */
  job?: string;
  worker?: string;
}

/** The results file every run appends to, in the output folder. */
export const RESULTS_FILE = 'results.jsonl';

/**
 * Writes one generated item into the output folder: the PNG (settings, seed, model and prompt in its
 * text chunks) atomically, then its line in `results.jsonl`. The single-process `--prompts` run and
 * every queue worker call this one function, so their files are byte-identical for the same item.
 */
export async function writeItemResult(
  dir: string,
  item: PromptItem,
  image: RgbaImage,
  modelId: string,
  settings: Record<string, unknown>,
  extra: Pick<ResultRecord, 'job' | 'worker'> = {},
): Promise<ResultRecord> {
  const rec: ResultRecord = {
    index: item.index,
    line: item.line,
    image: item.image,
    prompt: item.prompt,
    seed: item.seed,
    file: item.file,
    model: modelId,
    settings: { ...settings, numImages: 1 },
    ...extra,
  };
  const text = Object.fromEntries(Object.entries({ ...rec.settings, seed: item.seed, model: modelId }).map(([k, v]) => [k, String(v)]));
  await writeAtomic(join(dir, item.file), encodePng(image, { prompt: item.prompt, ...text, Software: 'maskgen.js' }));
  await appendResult(dir, rec);
  return rec;
}

/** A temporary name of `writeAtomic`: `<file>.partial-<pid>-<random>`. */
const PARTIAL = /^[^/\\]+\.partial-\d+-[a-z0-9]+$/;

/**
 * Removes temporary files that writers killed mid-write left in the folder (`<file>.partial-<pid>-*`),
 * when older than `olderThanMs`. Age, not the pid, decides: on a shared folder the pid may belong to
 * another machine, and a live writer renames its file within moments, never after a stall interval.
 */
export async function removeStalePartials(dir: string, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!PARTIAL.test(name)) continue;
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (!s?.isFile() || now - s.mtimeMs <= olderThanMs) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Appends one record as a single write (O_APPEND), so lines of concurrent writers do not interleave on a local disk.
 * A torn last line (a writer killed mid-append) is ended first, so it cannot swallow this record.
 */
export async function appendResult(dir: string, rec: ResultRecord): Promise<void> {
  const path = join(dir, RESULTS_FILE);
  const lead = (await endsTorn(path)) ? '\n' : '';
  await appendFile(path, `${lead}${JSON.stringify(rec)}\n`);
}

/** True when the file exists, is not empty and its last byte is not a newline. */
async function endsTorn(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return b[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

/**
 * What `results.jsonl` already records, by file name, read incrementally: each call reads only the bytes
 * appended since the last one, so a worker can ask before every append whether another process (or an
 * earlier, killed attempt of the same job) already wrote the line. Lines that do not parse (a torn
 * last line) are skipped.
 */
export class ResultIndex {
  private offset = 0;
  private readonly byFile = new Map<string, ResultRecord>();

  constructor(private readonly dir: string) {}

  /** The record for `file`, after reading whatever was appended since the last call. */
  async get(file: string): Promise<ResultRecord | undefined> {
    await this.refresh();
    return this.byFile.get(file);
  }

  /** Every record read so far (the last one per file). */
  async all(): Promise<ResultRecord[]> {
    await this.refresh();
    return [...this.byFile.values()];
  }

  private async refresh(): Promise<void> {
    const fh = await open(join(this.dir, RESULTS_FILE), 'r').catch(() => undefined);
    if (!fh) return;
    try {
      const { size } = await fh.stat();
      if (size < this.offset) this.offset = 0;
      if (size === this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      const end = buf.subarray(0, bytesRead).lastIndexOf(10);
      if (end < 0) return; // only a line still being written: read it whole next time
      this.offset += end + 1;
      for (const l of buf.toString('utf8', 0, end).split('\n')) {
        try {
          const rec = JSON.parse(l) as ResultRecord;
          if (rec && typeof rec.file === 'string') this.byFile.set(rec.file, rec);
        } catch {
          // a torn line (a writer killed mid-write): the item is redone and written again
        }
      }
    } finally {
      await fh.close();
    }
  }
}
