import { MaskgenError, quote } from '@maskgen/core';
import { type GeneratorDefaults, klFamily, vqFamily } from './families/index.js';

/** What a repo id is, and for generators which tokenizer decodes its tokens. */
export type ZooEntry =
  | { kind: 'generator'; id: string; tokenizer: string; text: string; defaults: GeneratorDefaults }
  | { kind: 'tokenizer'; id: string; mode: 'vq' | 'vae'; tokens: number; text: string }
  | { kind: 'text-encoder'; id: string };

/** The CLIP text tower every MaskGen/TA-TiTok model conditions on. */
export const CLIP_REPO = 'openai/clip-vit-large-patch14-336';

const VQ = vqFamily.defaults;
const KL = klFamily.defaults;

const tokenizer = (name: string, mode: 'vq' | 'vae', tokens: number): ZooEntry => ({
  kind: 'tokenizer',
  id: `turkeyju/tokenizer_tatitok_${name}`,
  mode,
  tokens,
  text: CLIP_REPO,
});

/**
 * The released checkpoints with their pairing (VQ generators decode with bl128_vq, KL with
 * bl32_vae) and defaults, so `createTextToImage(id)` needs nothing else.
 */
export const MODEL_ZOO: readonly ZooEntry[] = [
  tokenizer('bl32_vq', 'vq', 32),
  tokenizer('bl64_vq', 'vq', 64),
  tokenizer('bl128_vq', 'vq', 128),
  tokenizer('bl32_vae', 'vae', 32),
  tokenizer('bl64_vae', 'vae', 64),
  tokenizer('sl128_vae', 'vae', 128),
  { kind: 'generator', id: 'turkeyju/generator_maskgen_vq_l', tokenizer: 'turkeyju/tokenizer_tatitok_bl128_vq', text: CLIP_REPO, defaults: VQ },
  { kind: 'generator', id: 'turkeyju/generator_maskgen_vq_xl', tokenizer: 'turkeyju/tokenizer_tatitok_bl128_vq', text: CLIP_REPO, defaults: VQ },
  { kind: 'generator', id: 'turkeyju/generator_maskgen_kl_l', tokenizer: 'turkeyju/tokenizer_tatitok_bl32_vae', text: CLIP_REPO, defaults: KL },
  { kind: 'generator', id: 'turkeyju/generator_maskgen_kl_xl', tokenizer: 'turkeyju/tokenizer_tatitok_bl32_vae', text: CLIP_REPO, defaults: KL },
  { kind: 'text-encoder', id: CLIP_REPO },
];

/** The default text-to-image model of the CLI and examples. */
export const DEFAULT_GENERATOR = 'turkeyju/generator_maskgen_vq_xl';

/** Looks a repo id up in the zoo (case-sensitive, as the hub is). */
export function zooEntry(id: string): ZooEntry | undefined {
  return MODEL_ZOO.find((e) => e.id === id);
}

/** Like zooEntry, but an unknown id is an error listing the known ones. */
export function requireZooEntry(id: string, kind?: ZooEntry['kind']): ZooEntry {
  const e = zooEntry(id);
  if (!e || (kind && e.kind !== kind)) {
    const known = MODEL_ZOO.filter((m) => !kind || m.kind === kind).map((m) => m.id);
    throw new MaskgenError('UNKNOWN_MODEL', `model ${quote(id)} is not a known ${kind ?? 'model'}; known: ${known.join(', ')}`);
  }
  return e;
}
