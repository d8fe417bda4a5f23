import { MaskgenError, type Runtime, type Tensor, toNumbers, toFloat32 } from '@maskgen/core';
import { type CaseFiles, openCaseFiles } from './case-files.js';
import { compareArrays } from './compare.js';
import type { CaseContext, Tolerance } from './types.js';

export type { CaseFiles } from './case-files.js';

/** Builds the context handed to case runners for one case folder and one runtime. */
export async function createContext(files: CaseFiles, runtime: Runtime): Promise<CaseContext> {
  const folder = await openCaseFiles(files);
  const { caseJson, io } = folder;
  const readIo = (name: string) => io.read(name);
  return {
    dir: folder.dir,
    caseJson,
    config: folder.config,
    io,
    weights: folder.weights,
    runtime,
    readIo,
    replay: folder.replay,
    open: (rel) => files.open(rel),
    openSafetensors: folder.openSafetensors,
    readJson: folder.readJson,
    async compare(call, ioName, actual, tolerance) {
      const tol: Tolerance | undefined = tolerance ?? caseJson.io?.[ioName]?.tolerance;
      if (tol === undefined) throw new MaskgenError('INVALID_ARGUMENT', `case ${caseJson.case}: io tensor ${ioName} has no tolerance`);
      const expected = await readIo(ioName);
      // float64 references (schedules) are compared at full precision, not through a float32 tensor.
      const exp = io.info(ioName).stDtype === 'F64' ? await folder.f64(ioName) : isInt(expected) ? toNumbers(expected) : toFloat32(expected);
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
