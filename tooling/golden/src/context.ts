import { MaskgenError, type Runtime, SafetensorsFile, type Tensor, toNumbers, toFloat32 } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { compareArrays } from './compare.js';
import type { CaseContext, Tolerance } from './types.js';

/** Builds the context handed to case runners for one case folder and one runtime. */
export async function createContext(dir: string, runtime: Runtime): Promise<CaseContext> {
  const abs = resolve(dir);
  const readJson = async (rel: string) => JSON.parse(await readFile(join(abs, rel), 'utf8'));
  const openSafetensors = async (rel: string) => SafetensorsFile.open(await nodeFile(join(abs, rel)));
  const caseJson = await readJson('case.json');
  const config = await readJson('config.json').catch(() => undefined);
  const io = await openSafetensors('io.safetensors');
  const weights = await openSafetensors('weights.safetensors').catch((e) => {
    if ((e as MaskgenError).code === 'NOT_FOUND') return undefined;
    throw e;
  });
  const readIo = (name: string) => io.read(name);
  return {
    dir: abs,
    caseJson,
    config,
    io,
    weights,
    runtime,
    readIo,
    open: (rel) => nodeFile(join(abs, rel)),
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

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'dtype' in x && 'dims' in x && 'data' in x;
}

function isInt(t: Tensor): boolean {
  return t.dtype === 'int64' || t.dtype === 'int32' || t.dtype === 'uint8' || t.dtype === 'bool';
}
