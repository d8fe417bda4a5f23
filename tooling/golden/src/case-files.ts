import { type FileHandle, MaskgenError, type RecordedDraw, ReplayRng, SafetensorsFile } from '@maskgen/core';

/**
 * The one reader of the golden case format, platform-neutral: the runner (`pnpm golden`, in Node and in
 * the `web-webgpu` browser page) and the packages' tests read case folders through it. Node-only helpers
 * (where the goldens are, opening a folder by path) live in `case-folder.ts`.
 */

/**
 * How a case folder's files are read: the file system in Node, HTTP in the browser. Paths are relative
 * to the case folder and may start with `../` (e2e `uses`).
 */
export interface CaseFiles {
  /** Where the case folder is (a path in Node, a URL in the browser), for messages. */
  readonly dir: string;
  open(relPath: string): Promise<FileHandle>;
  readText(relPath: string): Promise<string>;
}

/** One recorded random draw of a sampling call: its kind, shape and io tensor. */
export interface DrawRecord {
  kind: string;
  shape: number[];
  tensor: string;
}

/** An open case folder: case.json, config.json, io/weights/trace safetensors and helpers over them. */
export interface CaseFolder {
  readonly dir: string;
  readonly caseJson: Record<string, any>;
  /** config.json, when the folder has one. */
  readonly config: Record<string, any> | undefined;
  readonly io: SafetensorsFile;
  /** weights.safetensors, when present. */
  readonly weights: SafetensorsFile | undefined;
  /** trace.safetensors (intermediate values), opened on first use. */
  trace(): Promise<SafetensorsFile>;
  /** A float64 io tensor at full precision (SafetensorsFile.read narrows F64 to float32). */
  f64(ioName: string): Promise<Float64Array>;
  /** A ReplayRng over recorded draws (a call's `draws`, or a slice of them). */
  replay(draws: readonly DrawRecord[]): Promise<ReplayRng>;
  /** Files relative to the folder (e2e cases reach their `uses` siblings with '../'). */
  readJson(rel: string): Promise<any>;
  openSafetensors(rel: string): Promise<SafetensorsFile>;
}

/** A missing optional file (config.json, weights.safetensors) reads as undefined; other failures stay errors. */
function optional<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch((e) => {
    if ((e as MaskgenError).code === 'NOT_FOUND' || (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  });
}

/** Opens a case folder through `files`. */
export async function openCaseFiles(files: CaseFiles): Promise<CaseFolder> {
  const readJson = async (rel: string) => JSON.parse(await files.readText(rel));
  // Recorded inputs and outputs may hold ±Inf on purpose (masks, -inf logits): the NaN/Inf rule is for weights.
  const openSafetensors = async (rel: string, data = false) => SafetensorsFile.open(await files.open(rel), { allowNonFinite: data });
  const [caseJson, config, io, weights] = await Promise.all([
    readJson('case.json'),
    optional(readJson('config.json')),
    openSafetensors('io.safetensors', true),
    optional(openSafetensors('weights.safetensors')),
  ]);
  if (caseJson === null || typeof caseJson !== 'object') throw new MaskgenError('INVALID_ARGUMENT', `${files.dir}: case.json is not an object`);
  let trace: Promise<SafetensorsFile> | undefined;
  return {
    dir: files.dir,
    caseJson,
    config,
    io,
    weights,
    trace: () => (trace ??= openSafetensors('trace.safetensors', true)),
    async f64(ioName) {
      const info = io.info(ioName);
      return new Float64Array((await io.file.read(info.offset, info.byteLength)).slice().buffer);
    },
    async replay(draws) {
      const recorded: RecordedDraw[] = [];
      for (const d of draws) recorded.push({ kind: d.kind, shape: d.shape, tensor: await io.read(d.tensor) });
      return new ReplayRng(recorded);
    },
    readJson,
    openSafetensors,
  };
}
