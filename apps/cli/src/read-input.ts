import { MaskgenError } from '@maskgen/core';
import { open } from 'node:fs/promises';
import { fsError } from './png-file.js';

/** Size caps per kind of input file: far above any real file, far below what exhausts memory. */
export const INPUT_LIMITS = {
  /** PNG/JPEG inputs (a 16k × 16k PNG is well under this). */
  image: 256 * 1024 ** 2,
  /** Token files (.json/.npy): a batch of 1024 × 4096 float32 latents as JSON is about 80 MB. */
  tokens: 128 * 1024 ** 2,
  /** --config / --tokenizer-config files (YAML or JSON). */
  config: 16 * 1024 ** 2,
  /** `--prompts` files. */
  prompts: 16 * 1024 ** 2,
} as const;

const CHUNK = 1 << 20;

/**
 * Reads a whole input file with a size cap and a cancel: the rule for every file the CLI reads, so
 * `/dev/zero`, a FIFO that never ends or a huge file is refused at `maxBytes` instead of filling
 * memory, and Ctrl-C/SIGTERM stops the read between 1 MiB chunks. Errors name the file, never quote it.
 */
export async function readInput(path: string, what: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const fh = await open(path, 'r').catch((e) => {
    throw fsError(e, path, `read ${what}`);
  });
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new MaskgenError('INVALID_ARGUMENT', `${what} ${JSON.stringify(path)} is a folder; expected a file`);
    const tooBig = () =>
      new MaskgenError(
        'INPUT_TOO_LARGE',
        `${what} ${JSON.stringify(path)} is larger than the ${maxBytes / 1024 ** 2} MiB limit for ${what}s; expected a smaller file`,
      );
    if (st.isFile() && st.size > maxBytes) throw tooBig();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (signal?.aborted) throw new MaskgenError('ABORTED', `reading ${what} ${JSON.stringify(path)} was cancelled`, { cause: signal.reason });
      const buf = new Uint8Array(Math.min(CHUNK, maxBytes + 1 - total));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null).catch((e) => {
        throw fsError(e, path, `read ${what}`);
      });
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooBig();
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) out.set(c, at), (at += c.length);
    return out;
  } finally {
    await fh.close();
  }
}
