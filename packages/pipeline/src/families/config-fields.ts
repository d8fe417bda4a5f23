import { configNumber } from '@maskgen/core';

/** A parsed config tree (JSON or YAML). */
export type Json = Record<string, unknown>;

/** The value as an object, or undefined when it is not one. */
export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** An optional finite number of a config section, naming `where.key` when it is something else. */
export function num(section: Json | undefined, key: string, fallback: number, where: string): number {
  return section?.[key] === undefined ? fallback : configNumber(section, key, where);
}

/** The `model.maskgen` section of a MaskGen generator config whose `model.vq_model.quantize_mode` is `mode`. */
export function maskgenSection(config: Json, mode: string): Json | undefined {
  const model = obj(config.model);
  const maskgen = obj(model?.maskgen);
  return maskgen && obj(model?.vq_model)?.quantize_mode === mode ? maskgen : undefined;
}
