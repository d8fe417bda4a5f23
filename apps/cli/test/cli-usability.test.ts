import { GOLDEN_IDS, goldenRepos } from '@maskgen/mock-hub';
import { decodeImage } from '@maskgen/image';
import { deriveSeed } from '@maskgen/pipeline';
import jpeg from 'jpeg-js';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressBars } from '../src/progress-bar.js';
import { GOLDEN, useCliEnv } from './cli-harness.js';

const cli = useCliEnv();
const FAST = ['--steps', '4', '-q'];
const pixels = async (path: string) => Array.from((await decodeImage(new Uint8Array(readFileSync(path)))).data);

describe('maskgen as an installed command', () => {
  it("--version prints the package version; help <command> prints that command's options", async () => {
    const version = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')).version;
    const v = await cli.run(['--version']);
    expect([v.status, v.stdout.trim()]).toEqual([0, version]);
    const h = await cli.run(['help', 'generate']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: maskgen generate /);
    expect(h.stdout).toMatch(/--guidance, --guidance-scale <float>/);
    const bad = await cli.run(['help', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/help: unknown command "nope"; expected one of generate/);
  }, 60_000);
});

describe('flags users bring from diffusers', () => {
  it('--guidance-scale and --num-inference-steps are aliases; negative and non-numeric values get range messages', async () => {
    const r = await cli.run(['generate', 'a fox', '--seed', '3', '--guidance-scale', '2.5', '--num-inference-steps', '3', '-q', '-o', 'alias.png']);
    expect(r.status, r.stderr).toBe(0);
    const s = await cli.run(['generate', 'a fox', '--seed', '3', '--guidance', '2.5', '--steps', '3', '-q', '-o', 'plain.png']);
    expect(s.status, s.stderr).toBe(0);
    expect(readFileSync(join(cli.work, 'alias.png')).equals(readFileSync(join(cli.work, 'plain.png')))).toBe(true);
    for (const [args, re] of [
      [['--steps', '-3'], /--steps must be an integer ≥ 1, got -3/],
      [['--guidance-scale', '-1'], /--guidance-scale must be a number ≥ 0, got -1/],
      [['--guidance-scale', 'high'], /--guidance-scale must be a number from 0 to 100, got "high"/],
      [['-n', '-2'], /-n must be an integer ≥ 1, got -2|--n must be an integer ≥ 1, got -2/],
      [['--guidance', '2', '--guidance-scale', '3'], /--guidance and --guidance-scale are the same option/],
    ] as const) {
      const e = await cli.run(['generate', 'x', ...args]);
      expect(e.status, e.stderr).toBe(2);
      expect(e.stderr).toMatch(re);
    }
  }, 120_000);

  it('checks output paths before loading any model (the hub is unreachable here, so loading would fail differently)', async () => {
    mkdirSync(join(cli.work, 'shots.png'), { recursive: true });
    mkdirSync(join(cli.work, 'many-1.png'), { recursive: true });
    const env = { HF_ENDPOINT: 'http://127.0.0.1:9', HF_HOME: join(cli.work, 'hf-untouched') };
    const cases = [
      [['generate', 'x', '-o', 'missing/out.png'], /-o\/--output: folder "missing" does not exist; create it first/, 1],
      [['generate', 'x', '-o', 'x.jpg', '-n', '2'], /maskgen writes .png files; expected a name ending in .png, got "x.jpg"/, 2],
      [['generate', 'x', '-o', 'shots.png'], /"shots.png" is a folder; expected a file name/, 1],
      // Each numbered name is checked too, for -n and for several prompts: many-1.png is a folder.
      [['generate', 'x', '-n', '2', '-o', 'many.png'], /"many-1.png" is a folder; expected a file name/, 1],
      [['generate', 'x', 'y', 'z', '-o', 'many.png'], /"many-1.png" is a folder; expected a file name/, 1],
      [['reconstruct', 'in.png', '-o', 'no/dir.png'], /folder "no" does not exist/, 1],
      [['decode', 'tokens.json', '-o', 'out.webp'], /expected a name ending in .png/, 2],
      [['encode', 'in.png', '-o', 'tokens.txt'], /expected a name ending in .json or .npy/, 2],
      [['generate', '--prompts', 'p.txt', '-o', 'nowhere'], /folder "nowhere" does not exist/, 1],
    ] as const;
    for (const [args, re, status] of cases) {
      const r = await cli.run([...args], env);
      expect(r.status, r.stderr).toBe(status);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    }
    expect(existsSync(env.HF_HOME)).toBe(false);
  }, 120_000);
});

describe('--prompts files', () => {
  it('skips comments, batches, names <index>-<slug>.png, records results.jsonl, resumes, and every item reproduces alone', async () => {
    mkdirSync(join(cli.work, 'batch'));
    writeFileSync(join(cli.work, 'p.txt'), '# my prompts\n\na red fox in the snow\r\n  # indented comment\nA Café at Night!\nthe same red fox\n');
    const first = await cli.run(['generate', '--prompts', 'p.txt', '-o', 'batch', '--seed', '11', '--batch-size', '2', ...FAST]);
    expect(first.status, first.stderr).toBe(0);
    const files = ['0001-a-red-fox-in-the-snow.png', '0002-a-cafe-at-night.png', '0003-the-same-red-fox.png'];
    expect(readdirSync(join(cli.work, 'batch')).sort()).toEqual([...files, 'results.jsonl']);
    const records = readFileSync(join(cli.work, 'batch/results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => [r.index, r.line, r.prompt, r.file, r.seed])).toEqual([
      [1, 3, 'a red fox in the snow', files[0], deriveSeed(11, 1)],
      [2, 5, 'A Café at Night!', files[1], deriveSeed(11, 2)],
      [3, 6, 'the same red fox', files[2], deriveSeed(11, 3)],
    ]);
    expect(records[0]).toMatchObject({ model: GOLDEN_IDS.vqGenerator, settings: { steps: 4 } });
    // Item 2 was generated in a batch with item 1 (batch size 2); alone with its seed it is the same image.
    const alone = await cli.run(['generate', records[1].prompt, '--seed', String(records[1].seed), ...FAST, '-o', 'alone.png']);
    expect(alone.status, alone.stderr).toBe(0);
    expect(await pixels(join(cli.work, 'alone.png'))).toEqual(await pixels(join(cli.work, 'batch', files[1])));
    // A re-run skips what exists; --force regenerates the same bytes.
    const mtime = statSync(join(cli.work, 'batch', files[0])).mtimeMs;
    const again = await cli.run(['generate', '--prompts', 'p.txt', '-o', 'batch', '--seed', '11', ...FAST]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/3 already in batch, 0 to generate/);
    expect(statSync(join(cli.work, 'batch', files[0])).mtimeMs).toBe(mtime);
    const before = readFileSync(join(cli.work, 'batch', files[2]));
    const forced = await cli.run(['generate', '--prompts', 'p.txt', '-o', 'batch', '--seed', '11', '--force', '--batch-size', '3', ...FAST]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/3 images from 3 prompts \(seed 11\); 0 already in batch, 3 to generate/);
    expect(forced.stderr.match(/^wrote \d{4}-.*\.png \(seed \d+\)$/gm)).toHaveLength(3);
    expect(readFileSync(join(cli.work, 'batch', files[2])).equals(before)).toBe(true);
    const empty = await cli.run(['generate', '--prompts', 'empty.txt'].concat([]), {});
    expect(empty.status).toBe(1);
    writeFileSync(join(cli.work, 'only-comments.txt'), '# nothing\n\n');
    const none = await cli.run(['generate', '--prompts', 'only-comments.txt']);
    expect(none.stderr).toMatch(/holds no prompts/);
  }, 300_000);
});

describe('images in and out', () => {
  it('reconstructs a JPEG, and encode → decode round-trips from local folders', async () => {
    const { dir: tokDir } = goldenRepos(GOLDEN)[GOLDEN_IDS.vqTokenizer];
    const { dir: clipDir } = goldenRepos(GOLDEN)[GOLDEN_IDS.clip];
    const [w, h] = [40, 48];
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256));
    writeFileSync(join(cli.work, 'photo.jpg'), jpeg.encode({ width: w, height: h, data: rgba }, 90).data);
    const local = ['--tokenizer', tokDir, '--text-encoder', clipDir, '-q'];
    const rec = await cli.run(['reconstruct', 'photo.jpg', '-o', 'photo-rec.png', ...local]);
    expect(rec.status, rec.stderr).toBe(0);
    expect(await decodeImage(new Uint8Array(readFileSync(join(cli.work, 'photo-rec.png'))))).toMatchObject({ width: 32, height: 32 });
    const enc = await cli.run(['encode', 'photo.jpg', '-o', 'local-tokens.json', ...local]);
    expect(enc.status, enc.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(cli.work, 'local-tokens.json'), 'utf8')).model).toBe(tokDir);
    const dec = await cli.run(['decode', 'local-tokens.json', '-o', 'local-dec.png', '--text-encoder', clipDir, '-q']);
    expect(dec.status, dec.stderr).toBe(0);
    expect(await pixels(join(cli.work, 'local-dec.png'))).toEqual(await pixels(join(cli.work, 'photo-rec.png')));
  }, 120_000);
});

describe('progress output', () => {
  it('on a pipe: one line per phase, no "?" sizes or 0% lines; HF_HUB_DISABLE_PROGRESS_BARS silences it', async () => {
    const r = await cli.run(['generate', 'a fox', '--seed', '1', '--steps', '3', '-o', 'progress.png'], { HF_HOME: join(cli.work, 'hf-fresh') });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n');
    const phases = lines.filter((l) => !l.startsWith('wrote')).map((l) => l.split(':')[0]);
    expect(phases.length).toBeGreaterThan(3);
    expect(new Set(phases).size).toBe(phases.length);
    expect(phases).toEqual(expect.arrayContaining(['sample', expect.stringMatching(/^download .*bpe_simple_vocab/)]));
    expect(r.stderr).not.toMatch(/\/\?|\b0%|\x1b/);
    const off = await cli.run(['generate', 'a fox', '--seed', '1', '--steps', '3', '-o', 'progress2.png'], { HF_HUB_DISABLE_PROGRESS_BARS: '1' });
    expect(off.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^wrote progress2.png/)]);
  }, 120_000);

  it('on a pipe, every --prompts batch prints its own sampling line; downloads print once', async () => {
    mkdirSync(join(cli.work, 'piped'));
    writeFileSync(join(cli.work, 'three.txt'), 'a red fox\na blue bird\na green frog\n');
    const r = await cli.run(['generate', '--prompts', 'three.txt', '-o', 'piped', '--seed', '5', '--steps', '2', '--batch-size', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.match(/^sample: 2\/2 in \d+\.\d s$/gm)).toHaveLength(3);
    const loads = r.stderr.match(/^(download|load) [^:]+/gm) ?? [];
    expect(new Set(loads).size).toBe(loads.length);
  }, 120_000);

  it('on a terminal: NO_COLOR drops escape sequences; a phase that finishes twice prints once', () => {
    const run = (env: NodeJS.ProcessEnv) => {
      let out = '';
      const bars = new ProgressBars({ isTTY: true, write: (s: string) => (out += s) }, false, env);
      for (const step of [1, 2, 2, 2]) bars.handle({ phase: 'sample', step, total: 2 });
      bars.handle({ phase: 'download', file: 'vocab.gz', loaded: 65_331, total: undefined });
      bars.close();
      return out;
    };
    expect(run({})).toMatch(/\x1b\[K/);
    const plain = run({ NO_COLOR: '1' });
    expect(plain).not.toMatch(/\x1b/);
    expect(plain.match(/100%/g)).toHaveLength(1);
    expect(plain).toMatch(/63\.8 KB/);
    expect(plain).not.toMatch(/\?/);
    expect(run({ HF_HUB_DISABLE_PROGRESS_BARS: 'true' })).toBe('');
  });
});
