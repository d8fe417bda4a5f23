import { SafetensorsFile, isMaskgenError, memoryFile, memorySource } from '@maskgen/core';
import { folderSource, nodeFile } from '@maskgen/hub/node';
import { nodeRuntime } from '@maskgen/runtime-node';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ModelRef, createImageTokenizer, createTextToImage, pairedTokenizer, parseConfigText, readConfig, resolveModel } from '../src/index.js';
import { parseHubFile } from '../src/model-file.js';
import { GOLDEN, expectGoldenE2eVq, useGoldenHub } from './hub-fixture.js';

const { source, commitOf } = useGoldenHub();
const FORMATS = join(GOLDEN, 'checkpoint_formats');
const formats = folderSource(FORMATS);
const runtime = nodeRuntime({ threads: 1 });

/** `<case>.bin` finds its YAML beside it; `<case>_legacy.bin` is given `<case>.yaml` (as --config would). */
async function fileRef(name: string): Promise<ModelRef> {
  const caseName = name.replace(/(_legacy)?\.bin$/, '');
  return { file: name, source: formats, ...(name.includes('_legacy') ? { config: await readConfig(formats, `${caseName}.yaml`) } : {}) };
}

/** createTextToImage on a single-file reference, checked against the golden e2e_vq images. */
async function expectGoldenE2eVqFrom(model: ModelRef, opts: { tokenizer?: ModelRef; textEncoder?: ModelRef }) {
  const t2i = await createTextToImage(model, { runtime, source, clipActivation: 'quick-gelu', ...opts });
  try {
    await expectGoldenE2eVq(t2i);
  } finally {
    await t2i.dispose();
  }
}

describe('single checkpoint files (../shared/golden/checkpoint_formats)', () => {
  for (const name of readdirSync(FORMATS).filter((n) => n.endsWith('.bin'))) {
    it(`${name}: its YAML gives the sibling case's config.json tree and its tensors are bit-identical to weights.safetensors`, async () => {
      const caseDir = join(GOLDEN, name.replace(/(_legacy)?\.bin$/, ''));
      const model = await resolveModel(await fileRef(name), { runtime, source });
      expect(model.config).toMatchObject(JSON.parse(readFileSync(join(caseDir, 'config.json'), 'utf8')));
      const [got, want] = [await model.openWeights(), await SafetensorsFile.open(await nodeFile(join(caseDir, 'weights.safetensors')))];
      expect([...got.tensors.keys()].sort()).toEqual([...want.tensors.keys()].sort());
      for (const t of want.tensors.keys()) {
        const [a, b] = [await got.read(t), await want.read(t)];
        expect(a.dims, t).toEqual(b.dims);
        expect(
          Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)),
          t,
        ).toBe(true);
      }
    });
  }

  for (const container of ['', '_legacy']) {
    it(`createTextToImage({ file }) reproduces the golden e2e_vq images exactly (${container ? 'legacy' : 'zip'} container)`, async () => {
      await expectGoldenE2eVqFrom(await fileRef(`maskgen_vq${container}.bin`), { tokenizer: await fileRef(`tatitok_vq${container}.bin`) });
    }, 60_000);
  }

  it('fun-research/TA-TiTok:<file>[@rev] through the hub pairs the tokenizer its YAML names and reproduces e2e_vq', async () => {
    await expectGoldenE2eVqFrom('fun-research/TA-TiTok:maskgen_vq.bin', {});
    await expectGoldenE2eVqFrom('fun-research/TA-TiTok:maskgen_vq.bin@main', {});
  }, 60_000);

  it('REPO:FILE@<revision>: an unknown revision is NOT_FOUND naming it; the repo commit sha loads', async () => {
    const err = await resolveModel('fun-research/TA-TiTok:maskgen_vq.bin@nope', { runtime, source }).catch((e: unknown) => e);
    expect(isMaskgenError(err, 'NOT_FOUND'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/fun-research\/TA-TiTok has no revision "nope"/);
    const sha = commitOf('fun-research/TA-TiTok');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    const pinned = await resolveModel(`fun-research/TA-TiTok:maskgen_vq.bin@${sha}`, { runtime, source });
    expect(pinned.source.id).toBe(`fun-research/TA-TiTok@${sha}`);
    expect(pinned.config).toMatchObject(JSON.parse(readFileSync(join(GOLDEN, 'maskgen_vq/config.json'), 'utf8')));
    await expectGoldenE2eVqFrom(`fun-research/TA-TiTok:maskgen_vq.bin@${sha}`, {});
  }, 60_000);

  it('takes the text encoder as a single file too (config given, vocabulary from its repo)', async () => {
    const config = JSON.parse(readFileSync(join(GOLDEN, 'clip_text/config.json'), 'utf8'));
    await expectGoldenE2eVqFrom(await fileRef('maskgen_vq.bin'), {
      tokenizer: await fileRef('tatitok_vq.bin'),
      textEncoder: { file: 'model.safetensors', repo: 'openai/clip-vit-large-patch14-336', config },
    });
  }, 60_000);

  it('createImageTokenizer takes a single file and reconstructs as the repo does', async () => {
    const png = readFileSync(join(GOLDEN, 'e2e_vq/image_0.png'));
    const { decodePng } = await import('@maskgen/image');
    const img = await decodePng(png);
    const results = [];
    for (const ref of [await fileRef('tatitok_vq_legacy.bin'), 'turkeyju/tokenizer_tatitok_bl128_vq']) {
      const tok = await createImageTokenizer(ref, { runtime, source });
      try {
        results.push(await tok.encode([img]));
      } finally {
        await tok.dispose();
      }
    }
    expect(Array.from(results[0].data as BigInt64Array)).toEqual(Array.from(results[1].data as BigInt64Array));
  }, 60_000);
});

describe('config resolution and pairing for single files', () => {
  const bytes = readFileSync(join(FORMATS, 'maskgen_vq.bin'));
  const file = memoryFile(bytes, 'maskgen_vq_xl.bin');

  it('without a YAML beside it, a reference file name takes its built-in config and pairs with the hub tokenizer', async () => {
    const src = memorySource('mem', { 'maskgen_vq_xl.bin': file });
    const model = await resolveModel({ file: 'maskgen_vq_xl.bin', source: src }, { runtime, source });
    expect(model.config).toMatchObject({
      model: { maskgen: { decoder_embed_dim: 1280, decoder_depth: 20 } },
      experiment: { tokenizer_checkpoint: 'tatitok_bl128_vq.bin' },
    });
    expect(await pairedTokenizer(model, { runtime, source })).toBe('fun-research/TA-TiTok:tatitok_bl128_vq.bin');
    const beside = memorySource('mem', { 'maskgen_vq_xl.bin': file, 'tatitok_bl128_vq.bin': file });
    const paired = await pairedTokenizer(await resolveModel({ file: 'maskgen_vq_xl.bin', source: beside, id: '/x/maskgen_vq_xl.bin' }, { runtime, source }), {
      runtime,
      source,
    });
    expect(paired).toMatchObject({ file: 'tatitok_bl128_vq.bin', id: '/x/tatitok_bl128_vq.bin' });
    expect(await pairedTokenizer(model, { runtime, source, tokenizer: 'a/b' })).toBe('a/b');
  });

  it('explicit config wins over one beside the file, which wins over the built-in one', async () => {
    const yaml = memoryFile(new TextEncoder().encode('model:\n  maskgen:\n    decoder_depth: 7\n'), 'maskgen_vq_xl.yml');
    const src = memorySource('mem', { 'd/maskgen_vq_xl.bin': file, 'd/maskgen_vq_xl.yml': yaml });
    expect(await resolveModel({ file: 'd/maskgen_vq_xl.bin', source: src }, { runtime, source }).then((m) => m.config)).toEqual({
      model: { maskgen: { decoder_depth: 7 } },
    });
    expect(await resolveModel({ file: 'd/maskgen_vq_xl.bin', source: src, config: { a: 1 } }, { runtime, source }).then((m) => m.config)).toEqual({ a: 1 });
    expect(await resolveModel({ file: 'd/maskgen_vq_xl.bin', source: src }, { runtime, source }, { b: 2 }).then((m) => m.config)).toEqual({ b: 2 });
  });

  it('an unknown file without any config is an error naming what to pass', async () => {
    const err = await resolveModel({ file: 'mine.bin', source: memorySource('mem', { 'mine.bin': file }) }, { runtime, source }).catch((e: unknown) => e);
    expect(isMaskgenError(err, 'INVALID_CONFIG')).toBe(true);
    expect((err as Error).message).toMatch(
      /mem:mine\.bin: no config for this checkpoint file; pass one .* or put "mine\.yaml" \(or \.yml\/\.json\) beside it; built-in configs exist for tatitok_bl32_vq\.bin/,
    );
  });

  it('a repo with config.yaml instead of config.json loads the same tree', async () => {
    const json = readFileSync(join(GOLDEN, 'maskgen_vq/config.json'), 'utf8');
    const src = memorySource('mem', { 'config.yaml': memoryFile(readFileSync(join(FORMATS, 'maskgen_vq.yaml'))), 'model.safetensors': memoryFile(bytes) });
    const model = await resolveModel('owner/repo', { runtime, source: () => src });
    expect(model.config).toMatchObject(JSON.parse(json));
  });

  it('a repo shipping pytorch_model.bin in the legacy container loads (it used to be taken for safetensors)', async () => {
    const src = memorySource('mem', {
      'config.json': memoryFile(readFileSync(join(GOLDEN, 'maskgen_vq/config.json'))),
      'pytorch_model.bin': memoryFile(readFileSync(join(FORMATS, 'maskgen_vq_legacy.bin')), 'pytorch_model.bin'),
    });
    const weights = await (await resolveModel('owner/repo', { runtime, source: () => src })).openWeights();
    const want = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'maskgen_vq/weights.safetensors')));
    expect(Array.from(await weights.readFloat32('pos_embed'))).toEqual(Array.from(await want.readFloat32('pos_embed')));
  });

  const parseCases: [string, string, string, unknown][] = [
    [
      'YAML 1.1 booleans and exponents, as PyYAML/OmegaConf read them',
      'a.yaml',
      'x: False\ny: True\nn: on\nz: 1e-3\nw: "10"',
      { x: false, y: true, n: true, z: 0.001, w: '10' },
    ],
    [
      'YAML 1.1 dates as strings, as OmegaConf keeps them (it drops the timestamp resolver)',
      'a.yaml',
      'run: 2024-01-02\nat: 2001-12-14t21:59:43.10-05:00\nq: "2024-01-02"',
      { run: '2024-01-02', at: '2001-12-14t21:59:43.10-05:00', q: '2024-01-02' },
    ],
    ['JSON', 'config.json', '{"model": {"x": 1}}', { model: { x: 1 } }],
  ];
  for (const [name, file, text, want] of parseCases) it(`parses ${name}`, () => expect(parseConfigText(text, file)).toEqual(want));

  const badConfigs: [string, string, string, RegExp][] = [
    ['duplicate keys', 'a.yaml', 'model: 1\nmodel: 2', /config "a.yaml": Map keys must be unique/],
    [
      'an alias bomb',
      'a.yml',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
        { length: 12 },
        (_, i) =>
          `b${i}: &b${i} [${Array(10)
            .fill(i ? `*b${i - 1}` : '*a')
            .join(', ')}]`,
      ).join('\n')}`,
      /config "a.yml": .*alias/i,
    ],
    ['a list at the top', 'a.yaml', '- 1\n- 2', /expected a mapping of sections/],
    ['a scalar', 'a.yaml', 'just text', /expected a mapping of sections/],
    ['broken JSON', 'c.json', '{"a": ', /config "c.json": not valid JSON/],
    ['a python tag that must stay inert', 'a.yaml', 'model: !!python/object/apply:os.system ["rm -rf /"]', /./],
  ];
  for (const [name, file, text, re] of badConfigs) {
    it(`refuses ${name}`, () => {
      let err: unknown;
      try {
        const tree = parseConfigText(text, file);
        // A tag is never resolved: at most it stays data, and describing the model then fails as for any bad config.
        expect(JSON.stringify(tree)).not.toMatch(/function/);
        return;
      } catch (e) {
        err = e;
      }
      expect(isMaskgenError(err, 'INVALID_CONFIG'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(re);
    });
  }

  it('parses hub file references', () => {
    expect(parseHubFile('fun-research/TA-TiTok:maskgen_vq_xl.bin')).toEqual({ repo: 'fun-research/TA-TiTok', file: 'maskgen_vq_xl.bin' });
    expect(parseHubFile('fun-research/TA-TiTok:sub/x.bin@v1.0')).toEqual({ repo: 'fun-research/TA-TiTok', file: 'sub/x.bin', revision: 'v1.0' });
    expect(parseHubFile('turkeyju/generator_maskgen_vq_xl')).toBeUndefined();
    for (const bad of ['a/b:', 'a/b:x.bin@', 'a/b:x:y.bin', 'a/b/c:x.bin'])
      expect(() => parseHubFile(bad), bad).toThrow(/expected a repo id "owner\/name" or a hub file/);
    // Without `owner/name:` it is no hub file: the caller's resolver maps it (the CLI's `local:<folder>` ids).
    for (const id of ['local:/tmp/x', 'a:b']) expect(parseHubFile(id), id).toBeUndefined();
  });
});
