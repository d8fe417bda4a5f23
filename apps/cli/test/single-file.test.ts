import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GOLDEN, useCliEnv } from './cli-harness.js';

const cli = useCliEnv();
const FORMATS = join(GOLDEN, 'checkpoint_formats');
const GEN = ['generate', 'a red fox in the snow', '--seed', '42', '--steps', '6', '-q'];

/** The decoded pixel rows of a PNG (its IDAT stream), so text chunks naming the model do not matter. */
function pixels(file: string): Buffer {
  const b = readFileSync(join(cli.work, file));
  const parts: Buffer[] = [];
  for (let p = 8; p < b.length; p += 12 + b.readUInt32BE(p))
    if (b.toString('latin1', p + 4, p + 8) === 'IDAT') parts.push(b.subarray(p + 8, p + 8 + b.readUInt32BE(p)));
  return inflateSync(Buffer.concat(parts));
}

/** A folder holding `<case>.bin` (either container) with its case's YAML beside it under the same stem. */
function folderOf(name: string, container: '' | '_legacy'): string {
  const dir = join(cli.work, `${name}${container || '_zip'}`);
  mkdirSync(dir, { recursive: true });
  for (const c of ['maskgen_vq', 'tatitok_vq']) {
    symlinkSync(join(FORMATS, `${c}${container}.bin`), join(dir, `${c}.bin`));
    symlinkSync(join(FORMATS, `${c}.yaml`), join(dir, `${c}.yaml`));
  }
  return dir;
}

describe('maskgen generate with single checkpoint files (golden checkpoint_formats)', () => {
  it('writes the pixels of the golden folders from .bin files with their YAMLs beside them, in both containers', async () => {
    const repo = await cli.run([...GEN, '-o', 'repo.png']);
    expect(repo.status, repo.stderr).toBe(0);
    for (const container of ['', '_legacy'] as const) {
      const dir = folderOf('files', container);
      const r = await cli.run([...GEN, '-o', `file${container}.png`, '--model', join(dir, 'maskgen_vq.bin'), '--tokenizer', join(dir, 'tatitok_vq.bin')]);
      expect(r.status, r.stderr).toBe(0);
      expect(pixels(`file${container}.png`).equals(pixels('repo.png')), `container ${container || 'zip'}`).toBe(true);
    }
  }, 180_000);

  it('takes --config/--tokenizer-config for files without a YAML beside them', async () => {
    const args = ['--model', join(FORMATS, 'maskgen_vq_legacy.bin'), '--tokenizer', join(FORMATS, 'tatitok_vq_legacy.bin')];
    const r = await cli.run([
      ...GEN,
      '-o',
      'explicit.png',
      ...args,
      '--config',
      join(FORMATS, 'maskgen_vq.yaml'),
      '--tokenizer-config',
      join(FORMATS, 'tatitok_vq.yaml'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const repo = await cli.run([...GEN, '-o', 'repo2.png']);
    expect(pixels('explicit.png').equals(pixels('repo2.png'))).toBe(true);
    const missing = await cli.run([...GEN, '-o', 'x.png', ...args]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/maskgen_vq_legacy\.bin: no config for this checkpoint file; pass one \(--config/);
    expect(missing.stderr).toMatch(/built-in configs exist for .*maskgen_vq_xl\.bin/);
    expect(repo.status).toBe(0);
  }, 180_000);

  it('loads fun-research/TA-TiTok:<file>[@rev] through the hub, pairing the tokenizer its YAML names', async () => {
    const repo = await cli.run([...GEN, '-o', 'repo3.png']);
    expect(repo.status, repo.stderr).toBe(0);
    for (const [out, model] of [
      ['hub.png', 'fun-research/TA-TiTok:maskgen_vq.bin'],
      ['hub-main.png', 'fun-research/TA-TiTok:maskgen_vq.bin@main'],
    ] as const) {
      const r = await cli.run([...GEN, '-o', out, '--model', model]);
      expect(r.status, r.stderr).toBe(0);
      expect(pixels(out).equals(pixels('repo3.png')), model).toBe(true);
    }
    const legacy = await cli.run([
      ...GEN,
      '-o',
      'hub-legacy.png',
      '--model',
      'fun-research/TA-TiTok:maskgen_vq_legacy.bin',
      '--config',
      join(FORMATS, 'maskgen_vq.yaml'),
      '--tokenizer',
      'fun-research/TA-TiTok:tatitok_vq_legacy.bin',
      '--tokenizer-config',
      join(FORMATS, 'tatitok_vq.yaml'),
    ]);
    expect(legacy.status, legacy.stderr).toBe(0);
    expect(pixels('hub-legacy.png').equals(pixels('repo3.png'))).toBe(true);
  }, 180_000);

  it('reconstructs with a single tokenizer file', async () => {
    const dir = folderOf('recon', '');
    const png = join(GOLDEN, 'e2e_vq', 'image_0.png');
    const a = await cli.run(['reconstruct', png, '-q', '-o', 'ra.png', '--tokenizer', join(dir, 'tatitok_vq.bin')]);
    const b = await cli.run(['reconstruct', png, '-q', '-o', 'rb.png', '--tokenizer', 'turkeyju/tokenizer_tatitok_bl128_vq']);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(pixels('ra.png').equals(pixels('rb.png'))).toBe(true);
  }, 120_000);

  const bad: [string, () => string[], RegExp][] = [
    [
      'a generator file whose tokenizer cannot be told',
      () => ['--model', join(FORMATS, 'maskgen_vq_legacy.bin'), '--config', join(FORMATS, 'maskgen_vq.yaml')],
      /no released TA-TiTok tokenizer matches quantize_mode "vq" with 16 tokens; pass the tokenizer/,
    ],
    [
      'a file in no weight format',
      () => (
        writeFileSync(join(cli.work, 'junk.bin'), 'GIF89a not weights'),
        ['--model', join(cli.work, 'junk.bin'), '--config', join(FORMATS, 'maskgen_vq.yaml'), '--tokenizer', join(FORMATS, 'tatitok_vq.bin')]
      ),
      /tried safetensors, torch.save zip .* and torch.save legacy/,
    ],
    [
      'a truncated legacy file',
      () => (
        writeFileSync(join(cli.work, 'cut.bin'), readFileSync(join(FORMATS, 'maskgen_vq_legacy.bin')).subarray(0, 5000)),
        ['--model', join(cli.work, 'cut.bin'), '--config', join(FORMATS, 'maskgen_vq.yaml'), '--tokenizer', join(FORMATS, 'tatitok_vq.bin')]
      ),
      /legacy checkpoint .*truncated/,
    ],
    [
      'a malformed YAML config',
      () => (
        writeFileSync(join(cli.work, 'bad.yaml'), 'model: [unclosed'), ['--model', join(FORMATS, 'maskgen_vq.bin'), '--config', join(cli.work, 'bad.yaml')]
      ),
      /config ".*bad\.yaml":/,
    ],
    [
      'an unreadable --config',
      () => ['--model', join(FORMATS, 'maskgen_vq.bin'), '--config', 'nope.yaml'],
      /cannot read --config file "nope.yaml": the file does not exist/,
    ],
    ['a bad hub file reference', () => ['--model', 'fun-research/TA-TiTok:a:b.bin'], /expected a repo id "owner\/name" or a hub file "owner\/name:file.bin"/],
    ['a hub file that does not exist', () => ['--model', 'fun-research/TA-TiTok:nope.bin', '--config', join(FORMATS, 'maskgen_vq.yaml')], /nope\.bin/],
  ];
  for (const [name, args, re] of bad) {
    it(`refuses ${name} with a clear message`, async () => {
      const r = await cli.run([...GEN, '-o', 'bad.png', ...args()]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }, 60_000);
  }
});
