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

describe('built-in configs of the reference single files, checked against the layouts they imply (bench shapes)', () => {
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
