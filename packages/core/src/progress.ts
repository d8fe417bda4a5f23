/**
 * Progress events shared by every long call, so one UI (CLI bars, demo page, logs) can render any
 * phase: downloads report bytes, model building reports sessions, sampling reports steps.
 */
export type ProgressEvent =
  | { phase: 'download'; file: string; loaded: number; total: number | undefined; overallLoaded?: number; overallTotal?: number }
  | { phase: 'load'; what: string; done: number; total: number }
  | { phase: 'encode-text'; done: number; total: number }
  | { phase: 'sample'; step: number; total: number }
  | { phase: 'decode'; done: number; total: number };

/** Callback type accepted by every API that reports progress. */
export type ProgressCallback = (event: ProgressEvent) => void;
