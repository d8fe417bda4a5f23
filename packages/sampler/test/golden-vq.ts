import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RecordedDraw, ReplayRng, SafetensorsFile, type Tensor } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';

/** The shared golden folder sits beside the repository (…/main/../shared/golden). */
export const GOLDEN = process.env.MASKGEN_GOLDEN ?? join(__dirname, '..', '..', '..', '..', 'shared', 'golden');
export const VQ_DIR = join(GOLDEN, 'maskgen_vq');
export const HAS_VQ_GOLDEN = existsSync(join(VQ_DIR, 'case.json'));

/** One `generate` call of the case: its kwargs and recorded draws. */
export interface GenerateCall {
  name: string;
  kwargs: Record<string, any>;
  draws: { kind: string; shape: number[]; tensor: string }[];
  returns: string[];
  mask_len_table: { step: number; 'L*mask_ratio_f32': number; floor_f32: number }[];
}

/** The maskgen_vq case folder, opened lazily (config, weights, io, trace). */
export async function openVqCase() {
  const caseJson = JSON.parse(readFileSync(join(VQ_DIR, 'case.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(VQ_DIR, 'config.json'), 'utf8'));
  const [weights, io, trace] = await Promise.all(
    ['weights', 'io', 'trace'].map(async (n) => SafetensorsFile.open(await nodeFile(join(VQ_DIR, `${n}.safetensors`)))),
  );
  const calls = caseJson.calls.filter((c: { fn: string }) => c.fn === 'MaskGen_VQ.generate') as GenerateCall[];
  return {
    caseJson,
    config,
    weights,
    io,
    trace,
    calls,
    /** A ReplayRng over a call's recorded draws. */
    async replay(call: GenerateCall): Promise<ReplayRng> {
      const draws: RecordedDraw[] = [];
      for (const d of call.draws) draws.push({ kind: d.kind, shape: d.shape, tensor: await io.read(d.tensor) });
      return new ReplayRng(draws);
    },
    /** The call's CLIP encodings as the reference fed them (recorded in the trace). */
    async conditions(call: GenerateCall) {
      const t = async (k: string) => (await trace.read(`${call.name}.${k}`)) as Tensor<'float32'>;
      return { condition: await t('condition'), pooled: await t('condition_pooled'), uncondCondition: await t('none_cond'), uncondPooled: await t('none_cond_pooled') };
    },
  };
}

/** Maps a call's kwargs (Python names) to MaskGitOptions. */
export function maskGitKwargs(k: Record<string, any>) {
  return {
    steps: k.num_sample_steps,
    guidanceScale: k.guidance_scale,
    guidanceDecay: k.guidance_decay,
    guidanceDecayScalePow: k.guidance_decay_scale_pow,
    randomizeTemperature: k.randomize_temperature,
    softmaxTemperatureAnnealing: k.softmax_temperature_annealing,
    probSorting: k.prob_sorting,
  };
}
