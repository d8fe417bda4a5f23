import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '@maskgen/core';
import { nodeFile, nodeRuntime } from '@maskgen/runtime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type ClipActivation, ClipTextEncoder } from '../src/index.js';
import { TEXT_DIR, goldenTokenizer, readIo } from './golden-paths.js';

interface Tol {
  atol: number;
  rtol: number;
}

function expectClose(actual: ArrayLike<number>, expected: { dims: readonly number[]; values: number[] }, tol: Tol, what: string): void {
  expect(actual.length, what).toBe(expected.values.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i] - expected.values[i]) - (tol.atol + tol.rtol * Math.abs(expected.values[i]));
    if (!(excess <= worst)) worst = Number.isNaN(excess) ? Infinity : excess;
  }
  expect(worst, `${what}: worst excess over tolerance`).toBeLessThanOrEqual(0);
}

describe('clip_text golden (runtime-node)', () => {
  const caseJson = JSON.parse(readFileSync(join(TEXT_DIR, 'case.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(TEXT_DIR, 'config.json'), 'utf8'));
  const runtime = nodeRuntime({ threads: 1 });
  const encoders: ClipTextEncoder[] = [];
  afterAll(async () => {
    for (const e of encoders) await e.dispose();
  });

  it('tokenizes the case prompts to the recorded ids', async () => {
    const tok = await goldenTokenizer();
    const ids = await readIo(TEXT_DIR, 'ids');
    expect(Array.from(tok.encodeBatch(caseJson.prompts).data, Number)).toEqual(ids.values);
  });

  for (const file of ['weights.safetensors', 'weights_hf.safetensors']) {
    for (const activation of ['quick-gelu', 'gelu'] as ClipActivation[]) {
      it(`${file} with ${activation} matches x_penultimate, text_guidance and pooled_embed`, async () => {
        const weights = await SafetensorsFile.open(await nodeFile(join(TEXT_DIR, file)));
        const enc = await ClipTextEncoder.create({ runtime, weights, config, activation, tokenizer: await goldenTokenizer() });
        encoders.push(enc);
        const out = await enc.encode(caseJson.prompts);
        const suffix = activation === 'gelu' ? '_gelu' : '';
        for (const [io, t] of [
          ['x_penultimate', out.penultimate],
          ['text_guidance', out.final],
          ['pooled_embed', out.pooled],
        ] as const) {
          const expected = await readIo(TEXT_DIR, io + suffix);
          expect(t.dims, io).toEqual(expected.dims);
          expectClose(t.data, expected, caseJson.io[io + suffix].tolerance, `${file} ${io}${suffix}`);
        }
      });
    }
  }
});
