import { MaskgenError, quote } from '@maskgen/core';
import { CLIP_REPO, type KlDefaults, MODEL_ZOO, type VqDefaults, type ZooEntry, zooEntry } from './model-zoo.js';

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function num(section: Json | undefined, key: string, fallback: number, where: string): number {
  const v = section?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new MaskgenError('INVALID_CONFIG', `config ${where}.${key}: expected a finite number, got ${quote(v)}`);
  }
  return v;
}

/**
 * Works out what a repo is from its config.json, so ids outside the zoo still load when their
 * config says what they are; for zoo ids the config's sampling settings refine the zoo defaults.
 */
export function describeModel(id: string, config: unknown, opts: { tokenizer?: string } = {}): ZooEntry {
  const known = zooEntry(id);
  const root = obj(config);
  if (!root) throw new MaskgenError('INVALID_CONFIG', `${id}/config.json: expected a JSON object, got ${quote(config)}`);
  const model = obj(root.model);
  const vq = obj(model?.vq_model);
  const maskgen = obj(model?.maskgen);
  if (maskgen && vq) {
    const mode = vq.quantize_mode;
    if (mode !== 'vq' && mode !== 'vae') {
      throw new MaskgenError('INVALID_CONFIG', `${id}/config.json model.vq_model.quantize_mode: expected "vq" or "vae", got ${quote(mode)}`);
    }
    const where = 'model.maskgen';
    const defaults: VqDefaults | KlDefaults =
      mode === 'vq'
        ? {
            family: 'vq',
            guidanceScale: num(maskgen, 'cfg', 12, where),
            steps: num(maskgen, 'num_iter', 16, where),
            randomizeTemperature: num(maskgen, 'temperature', 2, where),
            aestheticScore: num(maskgen, 'sample_aesthetic_score', 6.5, where),
          }
        : {
            family: 'kl',
            guidanceScale: num(maskgen, 'cfg', 3, where),
            guidanceSchedule: maskgen.cfg_schedule === 'constant' ? 'constant' : 'linear',
            steps: num(maskgen, 'num_iter', 32, where),
            temperature: num(maskgen, 'temperature', 1, where),
            aestheticScore: num(maskgen, 'sample_aesthetic_score', 6.5, where),
            diffusionSteps: Number.parseInt(String(obj(root.losses)?.num_sampling_steps ?? '100'), 10) || 100,
          };
    const tokens = num(vq, 'num_latent_tokens', 0, 'model.vq_model');
    const tokenizer =
      opts.tokenizer ??
      (known?.kind === 'generator'
        ? known.tokenizer
        : MODEL_ZOO.find((e) => e.kind === 'tokenizer' && e.mode === mode && e.tokens === tokens)?.id);
    if (!tokenizer) {
      throw new MaskgenError('UNKNOWN_MODEL', `${id}: no released TA-TiTok tokenizer matches quantize_mode ${quote(mode)} with ${tokens} tokens; pass the tokenizer explicitly`);
    }
    return { kind: 'generator', id, tokenizer, text: CLIP_REPO, defaults };
  }
  if (vq) {
    const mode = vq.quantize_mode === 'vae' ? 'vae' : 'vq';
    return { kind: 'tokenizer', id, mode, tokens: num(vq, 'num_latent_tokens', 0, 'model.vq_model'), text: CLIP_REPO };
  }
  if (obj(root.text_config) || root.model_type === 'clip' || root.model_type === 'clip_text_model') return { kind: 'text-encoder', id };
  if (known) return known;
  throw new MaskgenError(
    'UNKNOWN_MODEL',
    `${id}/config.json does not describe a MaskGen generator (model.maskgen + model.vq_model), a TA-TiTok tokenizer (model.vq_model) or a CLIP text model (text_config)`,
  );
}
