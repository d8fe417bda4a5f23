import { type FileHandle, MaskgenError, type Runtime, SafetensorsFile, type Tensor, toNumbers, toFloat32 } from '@maskgen/core';
import { compareArrays } from './compare.js';
import type { CaseContext, Tolerance } from './types.js';

/**
 * How a context reads the files of a case folder (and its siblings): the file system in Node, HTTP
 * in the browser. Paths are relative to the case folder and may start with `../` (e2e `uses`).
 */
export interface CaseFiles {
  /** Where the case folder is (a path in Node, a URL in the browser), for messages. */
  readonly dir: string;
  open(relPath: string): Promise<FileHandle>;
  readText(relPath: string): Promise<string>;
}

/** Builds the context handed to case runners for one case folder and one runtime. */
export async function createContext(files: CaseFiles, runtime: Runtime): Promise<CaseContext> {
  const readJson = async (rel: string) => JSON.parse(await files.readText(rel));
  const openSafetensors = async (rel: string) => SafetensorsFile.open(await files.open(rel));
  const caseJson = await readJson('case.json');
  const config = await readJson('config.json').catch(() => undefined);
  const io = await openSafetensors('io.safetensors');
  const weights = await openSafetensors('weights.safetensors').catch((e) => {
    if ((e as MaskgenError).code === 'NOT_FOUND') return undefined;
    throw e;
  });
  const readIo = (name: string) => io.read(name);
  return {
    dir: files.dir,
    caseJson,
    config,
    io,
    weights,
    runtime,
    readIo,
    open: (rel) => files.open(rel),
    openSafetensors,
    readJson,
    async compare(call, ioName, actual, tolerance) {
      const tol: Tolerance | undefined = tolerance ?? caseJson.io?.[ioName]?.tolerance;
      if (tol === undefined) throw new MaskgenError('INVALID_ARGUMENT', `case ${caseJson.case}: io tensor ${ioName} has no tolerance`);
      const expected = await readIo(ioName);
      const info = io.info(ioName);
      // float64 references (schedules) are compared at full precision, not through a float32 tensor.
      const exp =
        info.stDtype === 'F64'
          ? new Float64Array((await io.file.read(info.offset, info.byteLength)).slice().buffer)
          : isInt(expected)
            ? toNumbers(expected)
            : toFloat32(expected);
      const act = isTensor(actual) ? (isInt(actual) ? toNumbers(actual) : toFloat32(actual)) : Array.from(actual as ArrayLike<number | bigint>, Number);
      return compareArrays(call, exp, act, tol, { expected: expected.dims, actual: isTensor(actual) ? actual.dims : undefined });
    },
  };
}

/** Every io tensor must be readable, or the case cannot be trusted. */
export async function checkIoReadable(ctx: CaseContext): Promise<void> {
  for (const name of ctx.io.tensors.keys()) await ctx.io.read(name);
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'dtype' in x && 'dims' in x && 'data' in x;
}

function isInt(t: Tensor): boolean {
  return t.dtype === 'int64' || t.dtype === 'int32' || t.dtype === 'uint8' || t.dtype === 'bool';
}
