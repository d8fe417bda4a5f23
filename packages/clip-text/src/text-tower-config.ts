import { MaskgenError, type SafetensorsFile, quote } from '@maskgen/core';
import { TOWER_NAMES, type TextTowerLayout, countBlocks, detectLayout } from './text-tower-weights.js';

/** Feed-forward activation of the text tower (see README: why GELU is the default). */
export type ClipActivation = 'gelu' | 'quick-gelu';

/** Overrides for facts a checkpoint cannot tell by its shapes. */
export interface TextTowerOptions {
  /** Attention heads; otherwise from config (HF `text_config.num_attention_heads`, open_clip `text_cfg.heads`). */
  heads?: number;
  /**
   * 'gelu' (default): what open_clip ≥ 2.29 builds for the reference's `create_model_and_transforms(
   * 'ViT-L-14-336', pretrained='openai')`, so it reproduces MaskGen as it runs today. 'quick-gelu':
   * OpenAI CLIP's training activation (open_clip < 2.29, Hugging Face `hidden_act: quick_gelu`).
   */
  activation?: ClipActivation;
}

/** Everything the graph needs, read from weights and config. */
export interface TextTowerSpec {
  layout: TextTowerLayout;
  width: number;
  heads: number;
  layers: number;
  mlp: number;
  contextLength: number;
  vocabSize: number;
  embedDim: number;
  eps: number;
  activation: ClipActivation;
}

/** open_clip's ViT-L-14 text config, for open_clip checkpoints that come without any config. */
const VIT_L_14_TEXT = { width: 768, layers: 12, heads: 12 };

function field(cfg: Record<string, unknown> | undefined, key: string, what: string, kind: 'int' | 'float'): number | undefined {
  const v = cfg?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !(kind === 'int' ? Number.isInteger(v) && v > 0 : v > 0 && Number.isFinite(v))) {
    throw new MaskgenError('INVALID_CONFIG', `config ${what}.${key}: ${quote(v)}; expected a positive ${kind === 'int' ? 'integer' : 'number'}`);
  }
  return v;
}

/** The text part of any supported config: HF CLIPConfig / CLIPTextConfig, open_clip's model config or open_clip_config.json. */
function textConfig(config: unknown): { heads?: number; layers?: number; width?: number; eps?: number } {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object') throw new MaskgenError('INVALID_CONFIG', `CLIP config must be an object, got ${quote(config)}`);
  const obj = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined);
  const root = config as Record<string, unknown>;
  const c = obj(root.model_cfg) ?? root; // open_clip_config.json nests the model config
  const oc = obj(c.text_cfg);
  if (oc) return { heads: field(oc, 'heads', 'text_cfg', 'int'), layers: field(oc, 'layers', 'text_cfg', 'int'), width: field(oc, 'width', 'text_cfg', 'int') };
  const tc = obj(c.text_config) ?? c;
  const where = obj(c.text_config) ? 'text_config' : '(top level)';
  return {
    heads: field(tc, 'num_attention_heads', where, 'int'),
    layers: field(tc, 'num_hidden_layers', where, 'int'),
    width: field(tc, 'hidden_size', where, 'int'),
    eps: field(tc, 'layer_norm_eps', where, 'float'),
  };
}

/** Reads the tower's shape from its weights, cross-checked against the config where it has one. */
export function resolveTextTower(st: SafetensorsFile, config: unknown, opts: TextTowerOptions = {}): TextTowerSpec {
  const layout = detectLayout(st);
  const names = TOWER_NAMES[layout];
  const cfg = textConfig(config);
  const [vocabSize, width] = st.info(names.tokenEmbedding).dims;
  const [contextLength] = st.info(names.positionEmbedding).dims;
  const layers = countBlocks(st, layout);
  const mismatch = (what: string, weights: number, cfgValue: number) =>
    new MaskgenError('SHAPE_MISMATCH', `${what}: the weights have ${weights} but the config says ${cfgValue}`);
  if (cfg.width !== undefined && cfg.width !== width) throw mismatch('text width', width, cfg.width);
  if (cfg.layers !== undefined && cfg.layers !== layers) throw mismatch('text layers', layers, cfg.layers);
  if (layers < 1) throw new MaskgenError('MISSING_WEIGHT', `weights ${quote(st.file.name)}: no text blocks (${names.blockPrefix}0.*) found`);
  const known = layout === 'open_clip' && width === VIT_L_14_TEXT.width && layers === VIT_L_14_TEXT.layers ? VIT_L_14_TEXT.heads : undefined;
  const heads = opts.heads ?? cfg.heads ?? known;
  if (heads === undefined) {
    throw new MaskgenError('INVALID_CONFIG', `text tower of width ${width}: attention heads are not in the config; pass { heads } explicitly`);
  }
  if (!Number.isInteger(heads) || heads < 1 || width % heads !== 0) {
    throw new MaskgenError('INVALID_CONFIG', `heads: ${quote(heads)} does not divide the text width ${width}; expected a positive divisor`);
  }
  const activation = opts.activation ?? 'gelu';
  if (activation !== 'gelu' && activation !== 'quick-gelu') {
    throw new MaskgenError('INVALID_ARGUMENT', `activation: ${quote(activation)}; allowed: 'gelu', 'quick-gelu'`);
  }
  const proj = st.info(names.projection).dims;
  if (proj.length !== 2 || proj[layout === 'hf' ? 1 : 0] !== width) {
    throw new MaskgenError('SHAPE_MISMATCH', `${names.projection} has shape ${quote(proj)}; expected one axis of size ${width}`);
  }
  const embedDim = layout === 'hf' ? proj[0] : proj[1];
  const mlp = st.info(`${names.blockPrefix}0.${layout === 'hf' ? 'mlp.fc1' : 'mlp.c_fc'}.weight`).dims[0];
  return { layout, width, heads, layers, mlp, contextLength, vocabSize, embedDim, eps: cfg.eps ?? 1e-5, activation };
}
