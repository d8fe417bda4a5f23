import { type TestRedis, startRedisServer } from '@maskgen/test-utils';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN, useCliEnv } from './cli-harness.js';

const cli = useCliEnv();
const FORMATS = join(GOLDEN, 'checkpoint_formats');
const GEN = ['generate', 'a red fox in the snow', '--seed', '42', '--steps', '6', '-q'];

/** The decoded pixel rows of a PNG (a file in the work folder, or its bytes), so text chunks naming the model do not matter. */
function pixels(file: string | Buffer): Buffer {
  const b = typeof file === 'string' ? readFileSync(join(cli.work, file)) : file;
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

  it('caches hub files: an offline rerun of REPO:FILE writes the same pixels without the network; missing siblings are recorded', async () => {
    const model = ['--model', 'fun-research/TA-TiTok:maskgen_vq.bin'];
    const online = await cli.run([...GEN, '-o', 'cache-online.png', ...model]);
    expect(online.status, online.stderr).toBe(0);
    // A legacy file has no YAML of its stem: the online run probes .yaml/.yml/.json and records each 404.
    const legacy = ['--model', 'fun-research/TA-TiTok:maskgen_vq_legacy.bin', '--tokenizer', 'fun-research/TA-TiTok:tatitok_vq_legacy.bin'];
    const noConfig = /maskgen_vq_legacy\.bin: no config for this checkpoint file; pass one \(--config/;
    const probe = await cli.run([...GEN, '-o', 'x.png', ...legacy]);
    expect(probe.stderr).toMatch(noConfig);
    const missing = readdirSync(join(cli.work, 'hf'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.includes('.no_exist') && f.includes('TA-TiTok'))
      .map((f) => f.split(/[\\/]/).pop());
    for (const ext of ['yaml', 'yml', 'json']) expect(missing).toContain(`maskgen_vq_legacy.${ext}`);

    const before = cli.hub.requests.length;
    const offline = await cli.run([...GEN, '-o', 'cache-offline.png', ...model], { HF_HUB_OFFLINE: '1' });
    expect(offline.status, offline.stderr).toBe(0);
    expect(pixels('cache-offline.png').equals(pixels('cache-online.png'))).toBe(true);
    const offlineProbe = await cli.run([...GEN, '-o', 'x.png', ...legacy], { HF_HUB_OFFLINE: '1' });
    expect(offlineProbe.status).toBe(1);
    expect(offlineProbe.stderr).toMatch(noConfig);
    expect(cli.hub.requests.length, 'offline runs must not reach the hub').toBe(before);
  }, 180_000);

  it('takes --model <file>.safetensors and --text-encoder <file> (golden files in a temp folder)', async () => {
    const repo = await cli.run([...GEN, '-o', 'st-repo.png']);
    expect(repo.status, repo.stderr).toBe(0);
    const dir = join(cli.work, 'st');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(GOLDEN, 'maskgen_vq', 'weights.safetensors'), join(dir, 'gen.safetensors'));
    copyFileSync(join(FORMATS, 'maskgen_vq.yaml'), join(dir, 'gen.yaml'));
    symlinkSync(join(GOLDEN, 'clip_text', 'weights_hf.safetensors'), join(dir, 'text.safetensors'));
    copyFileSync(join(GOLDEN, 'clip_text', 'config.json'), join(dir, 'text.json'));
    copyFileSync(join(GOLDEN, 'clip_tokenizer', 'bpe_simple_vocab_16e6.txt.gz'), join(dir, 'bpe_simple_vocab_16e6.txt.gz'));
    const tok = ['--tokenizer', join(FORMATS, 'tatitok_vq.bin')];
    const st = await cli.run([...GEN, '-o', 'st-model.png', '--model', join(dir, 'gen.safetensors'), ...tok]);
    expect(st.status, st.stderr).toBe(0);
    expect(pixels('st-model.png').equals(pixels('st-repo.png'))).toBe(true);
    const te = await cli.run([...GEN, '-o', 'st-text.png', '--text-encoder', join(dir, 'text.safetensors')]);
    expect(te.status, te.stderr).toBe(0);
    expect(pixels('st-text.png').equals(pixels('st-repo.png'))).toBe(true);
    // Its config is the same-stem JSON: without it the file is read as ViT-L-14, which these tiny weights are not.
    rmSync(join(dir, 'text.json'));
    const wrong = await cli.run([...GEN, '-o', 'st-wrong.png', '--text-encoder', join(dir, 'text.safetensors')]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
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

/** Files without a YAML beside them (the legacy container under plain names), and their configs elsewhere. */
function bareFiles(name: string): { model: string[]; configs: string[]; cfgDir: string } {
  const dir = join(cli.work, name);
  const cfgDir = join(dir, 'cfg');
  mkdirSync(cfgDir, { recursive: true });
  symlinkSync(join(FORMATS, 'maskgen_vq_legacy.bin'), join(dir, 'gen.bin'));
  symlinkSync(join(FORMATS, 'tatitok_vq_legacy.bin'), join(dir, 'tok.bin'));
  copyFileSync(join(FORMATS, 'maskgen_vq.yaml'), join(cfgDir, 'gen.yaml'));
  copyFileSync(join(FORMATS, 'tatitok_vq.yaml'), join(cfgDir, 'tok.yaml'));
  return {
    model: ['--model', join(dir, 'gen.bin'), '--tokenizer', join(dir, 'tok.bin')],
    configs: ['--config', join(cfgDir, 'gen.yaml'), '--tokenizer-config', join(cfgDir, 'tok.yaml')],
    cfgDir,
  };
}

/** Collects a spawned CLI's stderr; `waitFor` resolves when it matches, rejects if the process exits first. */
function watch(args: string[]) {
  const child = cli.start(args);
  const w = { stderr: '', exited: false };
  const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  void exit.then(() => (w.exited = true));
  child.stderr.on('data', (d: Buffer) => (w.stderr += d.toString()));
  child.stdout.on('data', () => undefined);
  const waitFor = (re: RegExp, ms = 120_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const t0 = Date.now();
      const tick = () => {
        const m = re.exec(w.stderr);
        if (m) resolve(m);
        else if (w.exited || Date.now() - t0 > ms) reject(new Error(`${w.exited ? 'exited' : 'timed out'} waiting for ${re}:\n${w.stderr}`));
        else setTimeout(tick, 20);
      };
      tick();
    });
  return { child, exit, waitFor, stderr: () => w.stderr };
}

describe('serve, batch and worker take --config/--tokenizer-config for files without a YAML beside them', () => {
  it('maskgen serve --model <file> --config <yaml> answers a generation with the pixels generate writes', async () => {
    const f = bareFiles('serve-files');
    const ref = await cli.run(['generate', 'a fox', '--seed', '3', '--steps', '2', '-q', '-o', 'serve-ref.png', ...f.model, ...f.configs]);
    expect(ref.status, ref.stderr).toBe(0);
    const sv = watch(['serve', '--port', '0', '-q', ...f.model, ...f.configs]);
    try {
      await sv.waitFor(/ready:/);
      const url = (await sv.waitFor(/listening on (http:\/\/\S+)/))[1];
      const r = await fetch(`${url}/v1/images/generations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a fox', seed: 3, steps: 2 }),
      });
      expect(r.status).toBe(200);
      const png = Buffer.from((await r.json()).data[0].b64_json, 'base64');
      expect(pixels(png).equals(pixels('serve-ref.png'))).toBe(true);
    } finally {
      sv.child.kill('SIGTERM');
      expect(await sv.exit, sv.stderr()).toBe(0);
    }
    // Without the configs the same files are refused by name, as generate refuses them.
    const bare = watch(['serve', '--port', '0', '-q', ...f.model]);
    expect(await bare.exit).toBe(1);
    expect(bare.stderr()).toMatch(/gen\.bin: no config for this checkpoint file; pass one \(--config/);
  }, 180_000);

  let redis: TestRedis | undefined;
  afterAll(() => redis?.close());

  it('batch records the configs (path + content hash) in the spec; a worker loads them from the queue and refuses other contents', async () => {
    redis = await startRedisServer();
    const f = bareFiles('queue-files');
    const q = ['--queue', redis.url, '--name', 'single-file'];
    writeFileSync(join(cli.work, 'q-prompts.txt'), 'a heron at dawn\n');
    for (const d of ['q-out', 'q-ref']) mkdirSync(join(cli.work, d));
    const opts = ['--seed', '5', '--steps', '2'];
    const batch = await cli.run(['batch', 'q-prompts.txt', ...q, '-o', 'q-out', ...f.model, ...f.configs, ...opts, '--json']);
    expect(batch.status, batch.stderr).toBe(0);
    expect(JSON.parse(batch.stdout)).toMatchObject({ images: 1, added: 1 });

    // Same path, other content: a worker naming it is refused before loading anything.
    const otherCfg = join(cli.work, 'other-gen.yaml');
    writeFileSync(otherCfg, `${readFileSync(join(f.cfgDir, 'gen.yaml'), 'utf8')}\n# edited\n`);
    const other = await cli.run(['worker', ...q, '-o', 'q-out', ...f.model, '--config', otherCfg, '--tokenizer-config', join(f.cfgDir, 'tok.yaml')]);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(
      /the queue's jobs are for other models \(config: job wants ".*gen\.yaml#sha256=[0-9a-f]{64}", this worker loaded ".*other-gen\.yaml#sha256=/,
    );
    const noCfg = await cli.run(['worker', ...q, '-o', 'q-out', ...f.model]);
    expect(noCfg.stderr).toMatch(/config: job wants ".*", this worker loaded none; tokenizerConfig: job wants/);

    // Without model flags the worker takes the queue's models, configs included, and makes the image generate makes.
    const w = watch(['worker', ...q, '-o', 'q-out']);
    try {
      await w.waitFor(/wrote (\S+\.png)/);
    } finally {
      w.child.kill('SIGTERM');
    }
    expect(await w.exit, w.stderr()).toBe(0);
    const local = await cli.run(['generate', '--prompts', 'q-prompts.txt', '-o', 'q-ref', ...f.model, ...f.configs, ...opts, '-q']);
    expect(local.status, local.stderr).toBe(0);
    const [file] = readdirSync(join(cli.work, 'q-ref')).filter((n) => n.endsWith('.png'));
    expect(pixels(join('q-out', file)).equals(pixels(join('q-ref', file)))).toBe(true);

    // The file at the queue's path changed: a worker taking the queue's models says so instead of loading it.
    writeFileSync(join(f.cfgDir, 'gen.yaml'), readFileSync(otherCfg));
    const changed = await cli.run(['worker', ...q, '-o', 'q-out']);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toMatch(/the queue's config files differ on this machine \(config: job wants/);
  }, 240_000);
});
