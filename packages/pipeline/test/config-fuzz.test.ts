import { SafetensorsFile, isMaskgenError } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import { resolveMaskGenVq } from '@maskgen/sampler';
import { resolveTatitok } from '@maskgen/tatitok';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeModel } from '../src/index.js';
import { GOLDEN_DIR as GOLDEN } from '../../../tooling/golden/src/case-folder.js';

const json = (p: string) => JSON.parse(readFileSync(join(GOLDEN, p), 'utf8'));

/** Calls fn; passes if it returns or throws a MaskgenError, fails on any other throw (a crash). */
function onlyMaskgenErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!isMaskgenError(e)) throw e;
  }
}

/** Mutates one field somewhere in a config: deleted, or replaced by an arbitrary JSON value. */
const mutation = fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), value: fc.oneof(fc.constant(undefined), fc.jsonValue()) });

function mutate(config: unknown, m: { path: number[]; value: unknown }): unknown {
  const copy = structuredClone(config) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (let i = 0; i < m.path.length; i++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[m.path[i] % keys.length];
    const child = node[key];
    if (i === m.path.length - 1 || typeof child !== 'object' || child === null) {
      if (m.value === undefined) delete node[key];
      else node[key] = m.value;
      break;
    }
    node = child as Record<string, unknown>;
  }
  return copy;
}

describe('config.json parsers under fuzzing: a MaskgenError naming the field, never a crash', () => {
  it('describeModel on arbitrary JSON and on mutated real configs', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => onlyMaskgenErrors(() => describeModel('fuzz/x', v))),
      { numRuns: 2000 },
    );
    const base = json('maskgen_kl/config.json');
    fc.assert(
      fc.property(mutation, (m) => onlyMaskgenErrors(() => describeModel('fuzz/x', mutate(base, m)))),
      { numRuns: 2000 },
    );
  });

  it('resolveTatitok on mutated configs', async () => {
    const weights = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'tatitok_vq/weights.safetensors')));
    const base = json('tatitok_vq/config.json');
    fc.assert(
      fc.property(mutation, (m) => onlyMaskgenErrors(() => resolveTatitok(mutate(base, m), weights, { encoderHeads: 4, decoderHeads: 4 }))),
      { numRuns: 2000 },
    );
  });

  it('resolveMaskGenVq on mutated configs', async () => {
    const weights = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'maskgen_vq/weights.safetensors')));
    const base = json('maskgen_vq/config.json');
    fc.assert(
      fc.property(mutation, (m) => onlyMaskgenErrors(() => resolveMaskGenVq(mutate(base, m), weights))),
      { numRuns: 2000 },
    );
  });

  it('reports which field is wrong and what was expected', async () => {
    const weights = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'maskgen_vq/weights.safetensors')));
    const bad = json('maskgen_vq/config.json');
    bad.model.maskgen.decoder_num_heads = 'four';
    expect(() => resolveMaskGenVq(bad, weights)).toThrow(/model\.maskgen\.decoder_num_heads: expected an integer in \[1, 1024\], got "four"/);
  });
});
