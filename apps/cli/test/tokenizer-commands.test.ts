import { GOLDEN_IDS } from '@maskgen/mock-hub';
import { decodePng } from '@maskgen/image';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN, useCliEnv } from './cli-harness.js';

const cli = useCliEnv();
const tok = ['--tokenizer', GOLDEN_IDS.vqTokenizer, '-q'];

describe('maskgen reconstruct / encode / decode', () => {
  it('round-trips a PNG: encode → tokens.json → decode, and reconstruct', async () => {
    copyFileSync(join(GOLDEN, 'e2e_vq/image_0.png'), join(cli.work, 'in.png'));
    const enc = await cli.run(['encode', 'in.png', '-o', 'tokens.json', ...tok]);
    expect(enc.status, enc.stderr).toBe(0);
    const file = JSON.parse(readFileSync(join(cli.work, 'tokens.json'), 'utf8'));
    expect(file).toMatchObject({ model: GOLDEN_IDS.vqTokenizer, mode: 'vq', dims: [1, 1, 16] });
    const dec = await cli.run(['decode', 'tokens.json', '--text', 'a cabin', '-o', 'dec.png', '-q']);
    expect(dec.status, dec.stderr).toBe(0);
    const png = readFileSync(join(cli.work, 'dec.png'));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([32, 32]);
    const rec = await cli.run(['reconstruct', 'in.png', '-o', 'rec.png', '--text', 'a cabin', ...tok]);
    expect(rec.status, rec.stderr).toBe(0);
    // Same tokens, same text: the same pixels (the PNGs' text chunks differ).
    const pixels = async (f: string) => Array.from((await decodePng(new Uint8Array(readFileSync(join(cli.work, f))))).data);
    expect(await pixels('rec.png')).toEqual(await pixels('dec.png'));
  }, 120_000);

  it('rejects unreadable and corrupt images and malformed token files with clear messages', async () => {
    writeFileSync(join(cli.work, 'broken.png'), Buffer.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0]));
    const cases: [string[], RegExp][] = [
      [['encode', 'missing.png', ...tok], /cannot read image "missing.png": the file does not exist/],
      [['encode', 'broken.png', ...tok], /image "broken.png".*truncated/],
      [['decode', 'nope.json', '-q'], /cannot read tokens file "nope.json": the file does not exist/],
    ];
    writeFileSync(join(cli.work, 'bad1.json'), '{"model": "x", "mode": "vq", "dims": [1, 3], "tokens": [1, 2]}');
    writeFileSync(join(cli.work, 'bad2.json'), 'not json');
    writeFileSync(join(cli.work, 'bad3.json'), '{"model": "x", "mode": "pq", "dims": [1], "tokens": []}');
    cases.push(
      [['decode', 'bad1.json', '-q'], /"tokens" must hold 3 finite numbers/],
      [['decode', 'bad2.json', '-q'], /not valid JSON/],
      [['decode', 'bad3.json', '-q'], /"mode" must be "vq" or "vae"/],
    );
    for (const [args, re] of cases) {
      const r = await cli.run(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(re);
    }
  }, 120_000);
});

describe('maskgen edit', () => {
  it('keeps the chosen token range and writes the edited image; bad --keep is a usage error', async () => {
    copyFileSync(join(GOLDEN, 'e2e_vq/image_1.png'), join(cli.work, 'edit-in.png'));
    const r = await cli.run(['edit', 'edit-in.png', 'a snowy cabin at dusk', '--keep', '0-7', '--seed', '4', '--steps', '4', '-q', '-o', 'edited.png']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(cli.work, 'edited.png')).readUInt32BE(16)).toBe(32);
    const bad = await cli.run(['edit', 'edit-in.png', 'x', '--keep', '7-3']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--keep: range "7-3" is reversed/);
    const none = await cli.run(['edit', 'edit-in.png', 'x']);
    expect(none.stderr).toMatch(/--keep: required/);
  }, 120_000);

  it('edits with a MaskGen-KL generator too (its latents, MAR order)', async () => {
    copyFileSync(join(GOLDEN, 'e2e_kl/image_0.png'), join(cli.work, 'edit-kl.png'));
    const r = await cli.run([
      'edit',
      'edit-kl.png',
      'a snowy cabin at dusk',
      '--model',
      GOLDEN_IDS.klGenerator,
      '--keep',
      '0-3',
      '--seed',
      '4',
      '--steps',
      '4',
      '-q',
      '-o',
      'edited-kl.png',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const png = readFileSync(join(cli.work, 'edited-kl.png'));
    expect(png.readUInt32BE(16)).toBe(32);
    expect(png.includes(Buffer.from(`model\0${GOLDEN_IDS.klGenerator}`))).toBe(true);
    const out = await cli.run(['edit', 'edit-kl.png', 'x', '--model', GOLDEN_IDS.klGenerator, '--keep', '0-8', '-q']);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/keep: token indices must be integers in \[0, 8\), got 8/);
  }, 120_000);
});

describe('maskgen encode/decode with .npy token files', () => {
  it('writes NumPy tokens and decodes them back with an explicit tokenizer', async () => {
    copyFileSync(join(GOLDEN, 'e2e_vq/image_0.png'), join(cli.work, 'npy-in.png'));
    const enc = await cli.run(['encode', 'npy-in.png', '-o', 'tokens.npy', ...tok]);
    expect(enc.status, enc.stderr).toBe(0);
    const b = readFileSync(join(cli.work, 'tokens.npy'));
    expect(b.subarray(1, 6).toString('latin1')).toBe('NUMPY');
    expect(b.toString('latin1', 10, 80)).toMatch(/'descr': '<i8', 'fortran_order': False, 'shape': \(1, 1, 16\)/);
    const dec = await cli.run(['decode', 'tokens.npy', '-o', 'npy.png', ...tok]);
    expect(dec.status, dec.stderr).toBe(0);
    const noTok = await cli.run(['decode', 'tokens.npy', '-q']);
    expect(noTok.stderr).toMatch(/--tokenizer: required for .npy/);
  }, 120_000);
});

describe('maskgen export', () => {
  it('writes every graph with its packed weights and a manifest', async () => {
    const r = await cli.run(['export', '-o', 'exported', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(cli.work, 'exported', 'manifest.json'), 'utf8'));
    expect(manifest.graphs.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['tatitok_encoder', 'tatitok_decoder', 'maskgen_vq']));
    for (const g of manifest.graphs) {
      expect(readFileSync(join(cli.work, 'exported', g.graph)).length).toBeGreaterThan(100);
      for (const w of g.weights) expect(readFileSync(join(cli.work, 'exported', w)).length).toBeGreaterThan(0);
    }
    const missing = await cli.run(['export']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/-o\/--output: required/);
  }, 120_000);
});
