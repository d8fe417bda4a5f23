import { goldenRepos, startMockHub } from '@maskgen/mock-hub';
import { ReplayRng, SafetensorsFile } from '@maskgen/core';
import { hubSource, nodeFile } from '@maskgen/hub/node';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { TextToImage } from '../src/index.js';
import { GOLDEN_DIR as GOLDEN } from '../../../tooling/golden/src/case-folder.js';

/** The shared golden folder (the golden runner's reader decides where it is). */
export { GOLDEN };

/**
 * Starts a mock hub serving the golden checkpoints under the released repo ids for the calling test
 * file, with a fresh cache; `source` is the resolver the pipeline takes.
 */
export function useGoldenHub() {
  const state = {} as { hub: Awaited<ReturnType<typeof startMockHub>>; cacheDir: string };
  beforeAll(async () => {
    state.hub = await startMockHub({ repos: goldenRepos(GOLDEN) });
    state.cacheDir = mkdtempSync(join(tmpdir(), 'maskgen-pipeline-cache-'));
  });
  afterAll(() => state.hub.close());
  return {
    source: (repoId: string, at?: { revision?: string }) =>
      hubSource(repoId, { endpoint: state.hub.url, cacheDir: state.cacheDir, ...(at?.revision ? { revision: at.revision } : {}) }),
    /** The commit sha the mock hub serves a repo at (what `@<commit>` pins). */
    commitOf: (repoId: string) => state.hub.commitOf(repoId),
  };
}

/** e2e_vq's generate call with its io tensors and a replay of its recorded draws. */
export async function recordedDraws() {
  const caseJson = JSON.parse(readFileSync(join(GOLDEN, 'e2e_vq/case.json'), 'utf8'));
  const io = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'e2e_vq/io.safetensors')));
  const call = caseJson.calls.find((c: { name: string }) => c.name === 'generate');
  const draws = [];
  for (const d of call.draws) draws.push({ kind: d.kind, shape: d.shape, tensor: await io.read(d.tensor) });
  return { call, io, rng: new ReplayRng(draws) };
}

/** Generates e2e_vq's images with its recorded draws: the ids must be exact and every pixel the golden's. */
export async function expectGoldenE2eVq(t2i: TextToImage): Promise<void> {
  const { call, io, rng } = await recordedDraws();
  const out = await t2i.generate(call.captions, {
    rng,
    steps: call.kwargs.num_sample_steps,
    guidance: call.kwargs.guidance_scale,
    temperature: call.kwargs.randomize_temperature,
  });
  expect(Array.from(out.tokens.data as BigInt64Array)).toEqual(Array.from((await io.read('generate.ids')).data as BigInt64Array));
  const expected = (await io.read('image_uint8')).data as Uint8Array;
  const [h, w] = [out.images[0].height, out.images[0].width];
  const got = new Uint8Array(expected.length);
  out.images.forEach((img, b) => {
    for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) got[(b * w * h + i) * 3 + c] = img.data[i * 4 + c];
  });
  expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true);
}
