import type { FileHandle, ReplayRng, Runtime, SafetensorsFile, Tensor } from '@maskgen/core';
import type { DrawRecord } from './case-folder.js';

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

/** Everything a case runner may use; all paths stay inside the case folder (and its `uses` siblings). */
export interface CaseContext {
  /** Absolute path of the case folder. */
  readonly dir: string;
  /** Parsed case.json. */
  readonly caseJson: Record<string, any>;
  /** Parsed config.json, when the folder has one. */
  readonly config: Record<string, any> | undefined;
  /** io.safetensors. */
  readonly io: SafetensorsFile;
  /** weights.safetensors, when present. */
  readonly weights: SafetensorsFile | undefined;
  readonly runtime: Runtime;
  /** Reads an io tensor. */
  readIo(name: string): Promise<Tensor>;
  /** A ReplayRng over a call's recorded draws (case.json `draws` + their io tensors). */
  replay(draws: readonly DrawRecord[]): Promise<ReplayRng>;
  /** Opens a file relative to the case folder (e.g. '../clip_text/weights.safetensors' for e2e `uses`). */
  open(relPath: string): Promise<FileHandle>;
  /** Opens a safetensors file relative to the case folder. */
  openSafetensors(relPath: string): Promise<SafetensorsFile>;
  /** Reads a JSON file relative to the case folder. */
  readJson(relPath: string): Promise<any>;
  /**
   * Compares actual values with the io tensor `ioName` using that tensor's tolerance in case.json
   * (or `tolerance` when given), returning one CallResult named `call`.
   */
  compare(call: string, ioName: string, actual: Tensor | ArrayLike<number> | ArrayLike<bigint>, tolerance?: Tolerance): Promise<CallResult>;
}

/** A case runner returns one result per call (a thrown error fails the whole case with its message). */
export type CaseRunner = (ctx: CaseContext) => Promise<CallResult[]>;
