import type { FileHandle, Runtime, Tensor } from '@maskgen/core';
import type { CaseFolder } from './case-files.js';

/** Outcome of one call of a case on one runtime: one printed line. */
export interface CallResult {
  call: string;
  pass: boolean;
  maxAbs: number;
  maxRel: number;
  note?: string;
}

/** Tolerance forms used by golden case.json files. */
export type Tolerance = 'exact' | { atol?: number; rtol?: number; max_abs_diff?: number };

/** Everything a case runner may use: the case folder (the one reader) plus the runtime and comparison; all paths stay inside the case folder (and its `uses` siblings). */
export interface CaseContext extends Pick<CaseFolder, 'dir' | 'caseJson' | 'config' | 'io' | 'weights' | 'replay' | 'readJson' | 'openSafetensors'> {
  readonly runtime: Runtime;
  /** Reads an io tensor. */
  readIo(name: string): Promise<Tensor>;
  /** Opens a file relative to the case folder (e.g. '../clip_text/weights.safetensors' for e2e `uses`). */
  open(relPath: string): Promise<FileHandle>;
  /**
   * Compares actual values with the io tensor `ioName` using that tensor's tolerance in case.json
   * (or `tolerance` when given), returning one CallResult named `call`.
   */
  compare(call: string, ioName: string, actual: Tensor | ArrayLike<number> | ArrayLike<bigint>, tolerance?: Tolerance): Promise<CallResult>;
}

/** A case runner returns one result per call (a thrown error fails the whole case with its message). */
export type CaseRunner = (ctx: CaseContext) => Promise<CallResult[]>;
