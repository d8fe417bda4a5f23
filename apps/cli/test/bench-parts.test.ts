import { SafetensorsFile } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import { resolveMaskGenKl, resolveMaskGenVq } from '@maskgen/sampler';
import { mkdtempSync, readFileSync, statSync, truncateSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipFlops, difflossRowFlops, transformerFlops, vqForwardFlops } from '../src/bench/flops.js';
import { type ShapeTable, clipTextShapes, maskgenKlShapes, maskgenVqShapes, writeRandomCheckpoint } from '../src/bench/random-checkpoints.js';

/** Σ over matching 2-D weights of 2·out·in: the FLOPs of applying each once to one token. */
const linearFlopsPerToken = (t: ShapeTable, re: RegExp) =>
  Object.entries(t)
    .filter(([n, d]) => re.test(n) && d.length === 2)
    .reduce((s, [, d]) => s + 2 * d[0] * d[1], 0);

describe('bench FLOP counts agree with the checkpoint layouts they describe', () => {
  it('CLIP: the linears of every block on 77 tokens, plus attention', () => {
    const linears = linearFlopsPerToken(
      clipTextShapes(),
      /^transformer\.resblocks\.\d+\.(attn\.in_proj_weight|attn\.out_proj\.weight|mlp\.c_fc\.weight|mlp\.c_proj\.weight)$/,
    );
    const attention = 2 * 12 * 77 * 4 * 77 * 768;
    expect(clipFlops(2)).toBe(2 * 77 * linears + attention);
  });

  it('DiffLoss MLP: every linear of diffloss.net once per row, at any width', () => {
    for (const [d, w, blocks] of [
      [1024, 1024, 8],
      [1280, 1280, 8],
      [64, 96, 3],
    ]) {
      const { shapes } = maskgenKlShapes(d, 2, 2, blocks, w);
      expect(difflossRowFlops({ width: w, dim: d, tokenSize: 16, blocks })).toBe(linearFlopsPerToken(shapes, /^diffloss\.net\..*\.weight$/));
    }
  });

  it('MaskGen-VQ forward: within 2% of the per-stream count (per-sample adaLN projections and the last block’s missing context MLP are left out)', () => {
    const { shapes } = maskgenVqShapes(1024, 16, 16);
    const image = linearFlopsPerToken(shapes, /^blocks\.\d+\.(attn\.(to_q|to_k|to_v|to_out\.0)|ff\.net\.(0\.proj|2))\.weight$/);
    const context = linearFlopsPerToken(shapes, /^blocks\.\d+\.(attn\.(add_q_proj|add_k_proj|add_v_proj|to_add_out)|ff_context\.net\.(0\.proj|2))\.weight$/);
    const exact = 2 * (128 * image + 77 * context) + 2 * 16 * 205 * 4 * 205 * 1024 + 2 * 2 * 128 * 1024 * 8192;
    expect(Math.abs(vqForwardFlops(1024, 16) - exact) / exact).toBeLessThan(0.02);
    expect(transformerFlops(1, 1, 8, 1)).toBe(24 * 64 + 4 * 8);
  });
});

describe('bench checkpoints: the reference layout, written once', () => {
  it('writes config.json + model.safetensors that the model loaders accept, and reuses a complete file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgen-bench-ck-'));
    const vq = maskgenVqShapes(64, 2, 2);
    const path = writeRandomCheckpoint(join(dir, 'vq'), vq.shapes, vq.config);
    const config = JSON.parse(readFileSync(join(dir, 'vq', 'config.json'), 'utf8'));
    const spec = resolveMaskGenVq(config, await SafetensorsFile.open(await nodeFile(path)));
    expect([spec.dim, spec.depth, spec.heads]).toEqual([64, 2, 2]);

    const kl = maskgenKlShapes(64, 2, 2, 3, 96);
    const klPath = writeRandomCheckpoint(join(dir, 'kl'), kl.shapes, kl.config);
    const klSpec = resolveMaskGenKl(JSON.parse(readFileSync(join(dir, 'kl', 'config.json'), 'utf8')), await SafetensorsFile.open(await nodeFile(klPath)));
    expect([klSpec.dim, klSpec.mlpBlocks, klSpec.mlpWidth]).toEqual([64, 3, 96]);

    const old = new Date(2020, 0, 1);
    utimesSync(path, old, old);
    writeRandomCheckpoint(join(dir, 'vq'), vq.shapes, vq.config);
    expect(statSync(path).mtimeMs).toBe(old.getTime());
    const size = statSync(path).size;
    truncateSync(path, size - 4);
    writeRandomCheckpoint(join(dir, 'vq'), vq.shapes, vq.config);
    expect(statSync(path).size).toBe(size);
    expect(statSync(path).mtimeMs).not.toBe(old.getTime());
  });
});
