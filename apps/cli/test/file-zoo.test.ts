import { SafetensorsFile } from '@maskgen/core';
import { FILE_REPO, FILE_ZOO, type FileZooEntry, describeModel, fileZooEntry, zooEntry } from '@maskgen/pipeline';
import { resolveMaskGenKl, resolveMaskGenVq } from '@maskgen/sampler';
import { VIT_SIZES, resolveTatitok } from '@maskgen/tatitok';
import { describe, expect, it } from 'vitest';
import { type ShapeTable, maskgenKlShapes, maskgenVqShapes, tatitokShapes } from '../src/bench/random-checkpoints.js';
import { layoutFile } from '../src/bench/web-fit.js';

type Cfg = {
  model: { vq_model: Record<string, any>; maskgen?: Record<string, any> };
  losses?: Record<string, any>;
  experiment: Record<string, any>;
  dataset: any;
};
const cfgOf = (e: FileZooEntry) => e.config as unknown as Cfg;
const open = async (shapes: ShapeTable) => SafetensorsFile.open(layoutFile(shapes));

// Written by hand from bytedance/1d-tokenizer configs/infer/TA-TiTok/<name>.yaml and configs/infer/MaskGen/<name>.yaml
// (as PyYAML reads them), one file per entry, so a wrong number in the zoo cannot also be in what checks it.
const P16 = { vit_enc_patch_size: 16, vit_dec_patch_size: 16 };
const TAIL = { finetune_decoder: false, is_legacy: false };
const VQ = { quantize_mode: 'vq', codebook_size: 8192, token_size: 64, use_l2_norm: false, commitment_cost: 0.25 };
const REFERENCE: Record<string, { experiment: Record<string, string>; vq_model: object; maskgen?: object; losses?: object }> = {
  'tatitok_bl32_vq.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl32_vq.bin', output_dir: 'tatitok_bl32_vq' },
    vq_model: { ...VQ, clustering_vq: true, vit_enc_model_size: 'base', vit_dec_model_size: 'large', ...P16, num_latent_tokens: 32, ...TAIL },
  },
  'tatitok_bl64_vq.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl64_vq.bin', output_dir: 'tatitok_bl64_vq' },
    vq_model: { ...VQ, clustering_vq: true, vit_enc_model_size: 'base', vit_dec_model_size: 'large', ...P16, num_latent_tokens: 64, ...TAIL },
  },
  'tatitok_bl128_vq.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl128_vq.bin', output_dir: 'tatitok_bl128_vq' },
    vq_model: { ...VQ, clustering_vq: true, vit_enc_model_size: 'base', vit_dec_model_size: 'large', ...P16, num_latent_tokens: 128, ...TAIL },
  },
  'tatitok_bl32_vae.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl32_vae.bin', output_dir: 'tatitok_bl32_vae' },
    vq_model: { quantize_mode: 'vae', token_size: 16, vit_enc_model_size: 'base', vit_dec_model_size: 'large', ...P16, num_latent_tokens: 32, ...TAIL },
  },
  'tatitok_bl64_vae.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl64_vae.bin', output_dir: 'tatitok_bl64_vae' },
    vq_model: { quantize_mode: 'vae', token_size: 16, vit_enc_model_size: 'base', vit_dec_model_size: 'large', ...P16, num_latent_tokens: 64, ...TAIL },
  },
  'tatitok_sl128_vae.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_sl128_vae.bin', output_dir: 'tatitok_sl128_vae' },
    vq_model: { quantize_mode: 'vae', token_size: 16, vit_enc_model_size: 'small', vit_dec_model_size: 'large', ...P16, num_latent_tokens: 128, ...TAIL },
  },
  'maskgen_vq_l.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl128_vq.bin', generator_checkpoint: 'maskgen_vq_l.bin' },
    vq_model: { ...VQ, clustering_vq: false, vit_enc_model_size: 'base', vit_dec_model_size: 'large', ...P16, num_latent_tokens: 128, ...TAIL },
    maskgen: {
      decoder_embed_dim: 1024,
      decoder_depth: 16,
      decoder_num_heads: 16,
      micro_condition: true,
      micro_condition_embed_dim: 256,
      text_drop_prob: 0.1,
      condition_num_classes: 1000,
      cfg: 12.0,
      num_iter: 16,
      temperature: 2.0,
      sample_aesthetic_score: 6.5,
    },
  },
  'maskgen_vq_xl.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl128_vq.bin', generator_checkpoint: 'maskgen_vq_xl.bin' },
    vq_model: { ...VQ, clustering_vq: false, vit_enc_model_size: 'base', vit_dec_model_size: 'large', ...P16, num_latent_tokens: 128, ...TAIL },
    maskgen: {
      decoder_embed_dim: 1280,
      decoder_depth: 20,
      decoder_num_heads: 16,
      micro_condition: true,
      micro_condition_embed_dim: 256,
      text_drop_prob: 0.1,
      condition_num_classes: 1000,
      cfg: 12.0,
      num_iter: 16,
      temperature: 2.0,
      sample_aesthetic_score: 6.5,
    },
  },
  'maskgen_kl_l.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl32_vae.bin', generator_checkpoint: 'maskgen_kl_l.bin' },
    vq_model: {
      quantize_mode: 'vae',
      token_size: 16,
      vit_enc_model_size: 'base',
      vit_dec_model_size: 'large',
      ...P16,
      num_latent_tokens: 32,
      scale_factor: 0.7525,
      ...TAIL,
    },
    maskgen: {
      decoder_embed_dim: 1024,
      decoder_depth: 16,
      decoder_num_heads: 16,
      micro_condition: true,
      micro_condition_embed_dim: 256,
      text_drop_prob: 0.1,
      cfg: 3.0,
      cfg_schedule: 'linear',
      num_iter: 32,
      temperature: 1.0,
      sample_aesthetic_score: 6.5,
    },
    losses: { diffloss_d: 8, diffloss_w: 1024 },
  },
  'maskgen_kl_xl.bin': {
    experiment: { tokenizer_checkpoint: 'tatitok_bl32_vae.bin', generator_checkpoint: 'maskgen_kl_xl.bin' },
    vq_model: {
      quantize_mode: 'vae',
      token_size: 16,
      vit_enc_model_size: 'base',
      vit_dec_model_size: 'large',
      ...P16,
      num_latent_tokens: 32,
      scale_factor: 0.7525,
      ...TAIL,
    },
    maskgen: {
      decoder_embed_dim: 1280,
      decoder_depth: 20,
      decoder_num_heads: 16,
      micro_condition: true,
      micro_condition_embed_dim: 256,
      text_drop_prob: 0.1,
      cfg: 3.0,
      cfg_schedule: 'linear',
      num_iter: 32,
      temperature: 1.0,
      sample_aesthetic_score: 6.5,
    },
    losses: { diffloss_d: 8, diffloss_w: 1280 },
  },
};

describe('built-in configs of the reference single files, checked against the layouts they imply (bench shapes)', () => {
  it('every entry is the tree of its reference YAML (a literal table per file)', () => {
    expect(FILE_ZOO.map((e) => e.file).sort()).toEqual(Object.keys(REFERENCE).sort());
    for (const entry of FILE_ZOO) {
      const c = cfgOf(entry);
      const want = REFERENCE[entry.file];
      expect(entry.kind, entry.file).toBe(want.maskgen ? 'generator' : 'tokenizer');
      expect(c.experiment, entry.file).toEqual(want.experiment);
      expect(c.model, entry.file).toEqual({ vq_model: want.vq_model, ...(want.maskgen ? { maskgen: want.maskgen } : {}) });
      expect(c.losses, entry.file).toEqual(want.losses);
      expect(c.dataset, entry.file).toEqual({ preprocessing: { crop_size: 256 } });
    }
  });

  it('covers the ten files the seed names: six tokenizers, four generators', () => {
    expect(FILE_ZOO.map((e) => e.file).sort()).toEqual(
      [
        'tatitok_bl32_vq',
        'tatitok_bl64_vq',
        'tatitok_bl128_vq',
        'tatitok_bl32_vae',
        'tatitok_bl64_vae',
        'tatitok_sl128_vae',
        'maskgen_vq_l',
        'maskgen_vq_xl',
        'maskgen_kl_l',
        'maskgen_kl_xl',
      ]
        .map((n) => `${n}.bin`)
        .sort(),
    );
    expect(fileZooEntry('some/dir/maskgen_vq_xl.safetensors')?.file).toBe('maskgen_vq_xl.bin');
    expect(fileZooEntry('maskgen_vq_xxl.bin')).toBeUndefined();
  });

  for (const entry of FILE_ZOO.filter((e) => e.kind === 'tokenizer')) {
    it(`${entry.file}: the TA-TiTok of its vit sizes, token count and mode loads with this config`, async () => {
      const vq = cfgOf(entry).model.vq_model;
      const { shapes } = tatitokShapes({ enc: vq.vit_enc_model_size, dec: vq.vit_dec_model_size, tokens: vq.num_latent_tokens, mode: vq.quantize_mode });
      const spec = resolveTatitok(entry.config, await open(shapes));
      expect([spec.encoder.width, spec.encoder.layers, spec.encoder.heads]).toEqual(Object.values(VIT_SIZES[vq.vit_enc_model_size]));
      expect([spec.decoder.width, spec.decoder.layers, spec.decoder.heads]).toEqual(Object.values(VIT_SIZES[vq.vit_dec_model_size]));
      expect([spec.mode, spec.numTokens, spec.imageSize, spec.encoder.grid]).toEqual([vq.quantize_mode, vq.num_latent_tokens, 256, 16]);
      const described = describeModel(`${FILE_REPO}:${entry.file}`, entry.config);
      expect(described).toMatchObject({ kind: 'tokenizer', mode: vq.quantize_mode, tokens: vq.num_latent_tokens });
      // Same sizes as the released repo of the same name.
      expect(zooEntry(`turkeyju/tokenizer_${entry.file.replace(/\.bin$/, '')}`)).toMatchObject({ mode: vq.quantize_mode, tokens: vq.num_latent_tokens });
    });
  }

  for (const entry of FILE_ZOO.filter((e) => e.kind === 'generator')) {
    it(`${entry.file}: the MaskGen of its width/depth/heads loads with this config and pairs with a tokenizer of its tokens`, async () => {
      const c = cfgOf(entry);
      const mg = c.model.maskgen!;
      const described = describeModel(`${FILE_REPO}:${entry.file}`, entry.config, { tokenizer: 'x' });
      if (c.model.vq_model.quantize_mode === 'vq') {
        const spec = resolveMaskGenVq(entry.config, await open(maskgenVqShapes(mg.decoder_embed_dim, mg.decoder_depth, mg.decoder_num_heads).shapes));
        expect([spec.dim, spec.depth, spec.heads, spec.numTokens, spec.codebookSize]).toEqual([mg.decoder_embed_dim, mg.decoder_depth, 16, 128, 8192]);
      } else {
        const shapes = maskgenKlShapes(mg.decoder_embed_dim, mg.decoder_depth, mg.decoder_num_heads, c.losses!.diffloss_d, c.losses!.diffloss_w).shapes;
        const spec = resolveMaskGenKl(entry.config, await open(shapes));
        expect([spec.dim, spec.depth, spec.heads, spec.seqLen, spec.tokenSize, spec.mlpBlocks, spec.mlpWidth, spec.samplingSteps]).toEqual([
          mg.decoder_embed_dim,
          mg.decoder_depth,
          16,
          32,
          16,
          8,
          mg.decoder_embed_dim,
          '100',
        ]);
      }
      // The sizes and sampling defaults of the released repo of the same name.
      const repo = zooEntry(`turkeyju/generator_${entry.file.replace(/\.bin$/, '')}`);
      expect(repo?.kind === 'generator' && described.kind === 'generator' && described.defaults).toEqual(repo?.kind === 'generator' && repo.defaults);
      const tok = fileZooEntry(c.experiment.tokenizer_checkpoint);
      expect(tok?.kind).toBe('tokenizer');
      for (const k of ['quantize_mode', 'num_latent_tokens', 'token_size', 'codebook_size']) expect(cfgOf(tok!).model.vq_model[k], k).toBe(c.model.vq_model[k]);
      expect(tok!.file).toBe(c.model.vq_model.quantize_mode === 'vq' ? 'tatitok_bl128_vq.bin' : 'tatitok_bl32_vae.bin');
    });
  }
});
