import { MaskgenError, describeJsonError, quote } from './errors.js';
import type { FileHandle } from './file-handle.js';
import type { ProgressCallback } from './progress.js';

/** Per-call options of sources: cancellation and download progress. */
export interface SourceOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /**
   * How the caller will read the file: 'whole' (default) or 'ranges' when it needs only some byte
   * ranges (CLIP's text tower out of a file that also holds the vision tower). Remote sources may then
   * read by HTTP range instead of downloading everything; others ignore the hint.
   */
  access?: 'whole' | 'ranges';
}

/**
 * Where a model's files come from (Hugging Face hub, a mirror, a local folder, a browser cache).
 * Models ask for files by repo-relative name and never learn which backend serves them.
 */
export interface ModelSource {
  /** The repo id or folder this source reads, for messages. */
  readonly id: string;
  /** Opens a file for random access (downloading or range-reading it as the backend prefers). */
  open(file: string, opts?: SourceOptions): Promise<FileHandle>;
  /** True if the repo has this file (without downloading it). */
  exists(file: string, opts?: SourceOptions): Promise<boolean>;
}

/** Reads a whole small file (configs, vocabularies) as UTF-8 text with a size cap. */
export async function readText(source: ModelSource, file: string, opts: SourceOptions & { maxBytes?: number } = {}): Promise<string> {
  const h = await source.open(file, opts);
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
  if (h.size > max) throw new MaskgenError('INVALID_ARGUMENT', `${source.id}/${file}: ${h.size} bytes exceeds the ${max}-byte limit for text files`);
  return new TextDecoder().decode(await h.read(0, h.size, opts));
}

/** Reads and parses a JSON file, naming the file when it is not valid JSON. */
export async function readJson(source: ModelSource, file: string, opts: SourceOptions = {}): Promise<unknown> {
  const text = await readText(source, file, { ...opts, maxBytes: 16 * 1024 * 1024 });
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MaskgenError('INVALID_CONFIG', `${source.id}/${file}: ${describeJsonError(cause, text)}`, { cause });
  }
}

/** A source over in-memory files, for tests and for files produced on the fly. */
export function memorySource(id: string, files: Record<string, FileHandle>): ModelSource {
  return {
    id,
    async open(file) {
      const h = files[file];
      if (!h) throw new MaskgenError('NOT_FOUND', `${id}: file ${quote(file)} not found; available: ${Object.keys(files).join(', ')}`);
      return h;
    },
    async exists(file) {
      return file in files;
    },
  };
}
