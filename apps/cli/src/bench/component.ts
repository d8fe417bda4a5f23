import { type Runtime, SafetensorsFile, type WeightPrecision } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type ShapeTable, writeRandomCheckpoint } from './random-checkpoints.js';

/** Wall time and FLOPs of one part of a component's timed call (e.g. the KL decoder vs its diffusion head). */
export interface PartTiming {
  ms: number;
  flops: number;
}

/** A component ready to be timed: the call, its cleanup, and what it holds. */
export interface PreparedComponent {
  run: () => Promise<unknown>;
  dispose: () => Promise<void>;
  /** Bytes of the checkpoint files the component's sessions were built from (the RSS target's denominator). */
  weightBytes: number;
  /** Per-part timings of the most recent run, where the component can tell them apart. */
  parts?: () => Record<string, PartTiming>;
  /**
   * A deterministic output (same inputs, same draws) to compare int8 against float32; absent where
   * sampling makes outputs diverge after the first changed decision (full generate, end to end).
   */
  output?: () => Promise<Float32Array>;
}

/** One benchmarked component: how to build it and one timed call, with its FLOPs from the architecture. */
export interface Component {
  name: string;
  params: number;
  flops: number;
  /** Images one timed call makes (batch components): the report adds the per-image time. Default 1. */
  images?: number;
  /** Builds sessions (timed as "build") in the given weight precision and returns the call to time. */
  setup(runtime: Runtime, dir: string, precision: WeightPrecision): Promise<PreparedComponent>;
}

/** Run-wide settings of `maskgen bench` that components honour. */
export interface ComponentOptions {
  /** Sampling steps of generate/sample/e2e components (VQ steps, KL outer steps) instead of the models' defaults: shorter runs on a busy machine. */
  steps?: number;
}

/** A random checkpoint of the given layout under `dir/name`, written once and reused by later components and runs. */
export async function checkpoint(dir: string, name: string, shapes: ShapeTable, config?: object) {
  const path = writeRandomCheckpoint(join(dir, name), shapes, config);
  const weights = await SafetensorsFile.open(await nodeFile(path));
  return { weights, config, bytes: statSync(path).size };
}

export { inputs, promptIds, row } from './inputs.js';

/** Wraps an async method of `obj` so the wall time spent inside it is added to `acc.ms`. */
export function timeMethod<O extends object, K extends keyof O>(obj: O, key: K, acc: { ms: number }): void {
  const orig = obj[key] as unknown as (...a: unknown[]) => Promise<unknown>;
  (obj as Record<K, unknown>)[key] = async (...a: unknown[]) => {
    const t = performance.now();
    try {
      return await orig.apply(obj, a);
    } finally {
      acc.ms += performance.now() - t;
    }
  };
}
