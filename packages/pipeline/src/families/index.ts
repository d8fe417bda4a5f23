import { MaskgenError, quote } from '@maskgen/core';
import type { GeneratorDefaults, GeneratorFamily } from './family.js';
import { klFamily } from './kl.js';
import { vqFamily } from './vq.js';

export type { GeneratorDefaults, GeneratorFamily, FamilyGenerator, SampleRequest, GeneratorCreateOptions } from './family.js';
export { vqFamily, type VqDefaults } from './vq.js';
export { klFamily, type KlDefaults } from './kl.js';

/**
 * The generator families the pipeline knows, asked in order. Adding a family: one folder (or file)
 * exporting a `GeneratorFamily`, and one entry here; the zoo, `createTextToImage`, `describeModel`,
 * `maskgen export` and `maskgen edit` all ask this list.
 */
export const GENERATOR_FAMILIES: readonly GeneratorFamily[] = [vqFamily, klFamily] as GeneratorFamily[];

/** The family named `name` (a `defaults.family`), or UNKNOWN_MODEL listing the known ones. */
export function generatorFamily(name: string): GeneratorFamily {
  const f = GENERATOR_FAMILIES.find((x) => x.name === name);
  if (!f)
    throw new MaskgenError('UNKNOWN_MODEL', `generator family ${quote(name)} is not registered; known: ${GENERATOR_FAMILIES.map((x) => x.name).join(', ')}`);
  return f;
}

/** The first family that recognises a generator config tree, with its defaults; undefined when none does. */
export function recogniseGenerator(config: Record<string, unknown>, where: string): { family: GeneratorFamily; defaults: GeneratorDefaults } | undefined {
  for (const family of GENERATOR_FAMILIES) {
    const defaults = family.recognise(config, where);
    if (defaults) return { family, defaults };
  }
  return undefined;
}
