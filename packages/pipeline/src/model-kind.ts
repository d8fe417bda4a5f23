import { MaskgenError, quote } from '@maskgen/core';
import { num, obj } from './families/config-fields.js';
import { GENERATOR_FAMILIES, recogniseGenerator } from './families/index.js';
import { CLIP_REPO, MODEL_ZOO, type ZooEntry, zooEntry } from './model-zoo.js';

/**
 * Works out what a repo is from its config.json, so ids outside the zoo still load when their
 * config says what they are; for zoo ids the config's sampling settings refine the zoo defaults.
 * Generators are recognised by the registered families (`GENERATOR_FAMILIES`), in order.
 */
export function describeModel(id: string, config: unknown, opts: { tokenizer?: string } = {}): ZooEntry {
  const known = zooEntry(id);
  const root = obj(config);
  if (!root) throw new MaskgenError('INVALID_CONFIG', `${id}/config.json: expected a JSON object, got ${quote(config)}`);
  const model = obj(root.model);
  const vq = obj(model?.vq_model);
  const generator = recogniseGenerator(root, `${id}/config.json`);
  if (generator) {
    const mode = generator.family.tokenizerMode;
    const tokens = num(vq, 'num_latent_tokens', 0, 'model.vq_model');
    const tokenizer =
      opts.tokenizer ??
      (known?.kind === 'generator' ? known.tokenizer : MODEL_ZOO.find((e) => e.kind === 'tokenizer' && e.mode === mode && e.tokens === tokens)?.id);
    if (!tokenizer) {
      throw new MaskgenError(
        'UNKNOWN_MODEL',
        `${id}: no released TA-TiTok tokenizer matches quantize_mode ${quote(mode)} with ${tokens} tokens; pass the tokenizer explicitly`,
      );
    }
    return { kind: 'generator', id, tokenizer, text: CLIP_REPO, defaults: generator.defaults };
  }
  if (obj(model?.maskgen) && vq) {
    const modes = GENERATOR_FAMILIES.map((f) => quote(f.tokenizerMode)).join(' or ');
    throw new MaskgenError('INVALID_CONFIG', `${id}/config.json model.vq_model.quantize_mode: expected ${modes}, got ${quote(vq.quantize_mode)}`);
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
