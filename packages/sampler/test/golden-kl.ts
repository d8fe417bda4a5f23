import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RecordedDraw, ReplayRng, SafetensorsFile } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import { GOLDEN } from './golden-vq.js';

/** The two MaskGen-KL golden cases: 10 and the default 100 diffusion steps. */
export const KL_CASES = ['maskgen_kl', 'maskgen_kl_steps100'] as const;
export const HAS_KL_GOLDEN = KL_CASES.every((c) => existsSync(join(GOLDEN, c, 'case.json')));

/** One recorded sample_tokens call. */
export interface KlSampleCall {
  name: string;
  bsz: number;
  kwargs: { num_iter: number; cfg: number; cfg_schedule: 'linear' | 'constant'; aes_scores: number; temperature: number };
  draws: { kind: string; shape: number[]; tensor: string }[];
  returns: string[];
}

/** A maskgen_kl case folder (config, weights, io, trace) and helpers over its recorded draws. */
export async function openKlCase(name: (typeof KL_CASES)[number] = 'maskgen_kl') {
  const dir = join(GOLDEN, name);
  const caseJson = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const [weights, io, trace] = await Promise.all(['weights', 'io', 'trace'].map(async (n) => SafetensorsFile.open(await nodeFile(join(dir, `${n}.safetensors`)))));
  const samples = caseJson.calls.filter((c: { draws?: unknown }) => c.draws) as KlSampleCall[];
  return {
    caseJson,
    config,
    weights,
    io,
    trace,
    samples,
    /** A float64 io tensor at full precision (SafetensorsFile.read narrows F64 to float32). */
    async f64(ioName: string): Promise<Float64Array> {
      const info = io.info(ioName);
      return new Float64Array((await io.file.read(info.offset, info.byteLength)).slice().buffer);
    },
    /** A ReplayRng over draws [from, to) of a call. */
    async replay(call: KlSampleCall, from = 0, to = call.draws.length): Promise<ReplayRng> {
      const draws: RecordedDraw[] = [];
      for (const d of call.draws.slice(from, to)) draws.push({ kind: d.kind, shape: d.shape, tensor: await io.read(d.tensor) });
      return new ReplayRng(draws);
    },
  };
}
