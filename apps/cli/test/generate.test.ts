import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEnv } from './cli-harness.js';

const cli = useCliEnv();

/** tEXt chunks of a PNG, to check the settings travel with the image. */
function pngText(path: string): Record<string, string> {
  const b = readFileSync(path);
  const out: Record<string, string> = {};
  for (let p = 8; p < b.length; ) {
    const len = b.readUInt32BE(p);
    const type = b.toString('latin1', p + 4, p + 8);
    if (type === 'tEXt') {
      const data = b.subarray(p + 8, p + 8 + len);
      const z = data.indexOf(0);
      out[data.toString('latin1', 0, z)] = data.toString('latin1', z + 1);
    }
    p += 12 + len;
  }
  return out;
}

describe('maskgen generate (spawned, against the mock hub serving the golden checkpoints)', () => {
  it('writes the same PNG twice for a seed, and the same on --runtime web', async () => {
    for (const [out, extra] of [
      ['a.png', []],
      ['b.png', []],
      ['c.png', ['--runtime', 'web']],
    ] as const) {
      const r = await cli.run(['generate', 'a red fox in the snow', '--seed', '42', '--steps', '6', '-q', '-o', out, ...extra]);
      expect(r.status, r.stderr).toBe(0);
    }
    const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((f) => readFileSync(join(cli.work, f)));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(true);
    const text = pngText(join(cli.work, 'a.png'));
    expect(text).toMatchObject({ prompt: 'a red fox in the snow', seed: '42', steps: '6', model: 'turkeyju/generator_maskgen_vq_xl' });
  }, 120_000);

  it('runs with --precision int8: a different but close image, labelled in the PNG; rejects other precisions', async () => {
    for (const [out, extra] of [
      ['f32.png', []],
      ['q8.png', ['--precision', 'int8']],
    ] as const) {
      const r = await cli.run(['generate', 'a red fox in the snow', '--seed', '42', '--steps', '6', '-q', '-o', out, ...extra]);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(readFileSync(join(cli.work, 'f32.png')).equals(readFileSync(join(cli.work, 'q8.png')))).toBe(false);
    expect(pngText(join(cli.work, 'q8.png'))).toMatchObject({ precision: 'int8', seed: '42' });
    expect(pngText(join(cli.work, 'f32.png')).precision).toBeUndefined();
    const bad = await cli.run(['generate', 'x', '--precision', 'fp16', '-o', 'x.png']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--precision: expected one of float32, int8, got "fp16"/);
  }, 120_000);

  it('writes one file per image with -n, a grid with --grid, and JSON with --json', async () => {
    const r = await cli.run(['generate', 'one', 'two', '-n', '2', '--seed', '1', '--steps', '3', '-q', '-o', 'many.png', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.files).toEqual(['many-0.png', 'many-1.png', 'many-2.png', 'many-3.png']);
    for (const f of summary.files) expect(existsSync(join(cli.work, f))).toBe(true);
    const g = await cli.run(['generate', 'grid me', '-n', '4', '--grid', '--seed', '1', '--steps', '3', '-q', '-o', 'grid.png']);
    expect(g.status, g.stderr).toBe(0);
    expect(readFileSync(join(cli.work, 'grid.png')).readUInt32BE(16)).toBe(64);
  }, 120_000);

  it('cancels cleanly on Ctrl-C: exit 130, no image and no partial file', async () => {
    const child = cli.start(['generate', 'slow one', '--seed', '3', '--steps', '400', '-o', 'cancelled.png']);
    let err = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        // Progress lines print when a phase ends: "encode-text" ends as the 400 slow steps begin.
        if (/encode-text/.test(err) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code, err).toBe(130);
    expect(err).toMatch(/cancelled/);
    expect(readdirSync(cli.work).filter((f) => f.startsWith('cancelled'))).toEqual([]);
  }, 120_000);
});

describe('maskgen bad arguments: a clear message and a non-zero exit, never a stack trace', () => {
  const cases: [string, string[], RegExp, number][] = [
    ['no command', [], /usage: maskgen <command>/, 2],
    ['unknown command', ['paint'], /unknown command "paint"/, 2],
    ['unknown flag', ['generate', 'x', '--colour', 'red'], /Unknown option '--colour'/, 2],
    ['non-numeric seed', ['generate', 'x', '--seed', 'abc'], /--seed must be an integer ≥ 0, got "abc"/, 2],
    ['negative steps', ['generate', 'x', '--steps=-3'], /--steps must be an integer ≥ 1, got -3/, 2],
    ['unknown runtime', ['generate', 'x', '--runtime', 'gpu'], /--runtime: expected one of node, web, got "gpu"/, 2],
    ['missing prompt', ['generate'], /expected a prompt/, 2],
    ['unreadable prompts file', ['generate', '--prompts', 'nope.txt'], /cannot read --prompts file "nope.txt": the file does not exist/, 1],
    ['unknown model', ['generate', 'x', '--model', 'turkeyju/no_such_model', '-q'], /no_such_model.*not found|not found.*no_such_model/i, 1],
  ];
  for (const [name, args, re, status] of cases) {
    it(name, async () => {
      const r = await cli.run(args);
      expect(r.stdout + r.stderr).toMatch(re);
      expect(r.status).toBe(status);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('unreachable hub: names HF_ENDPOINT, offline mode and local folders', async () => {
    // An empty cache: with the files cached (earlier tests), no request is needed and the hub's state does not matter.
    const r = await cli.run(['generate', 'x', '-q'], { HF_ENDPOINT: 'http://127.0.0.1:9', HF_HOME: join(cli.work, 'hf-empty') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/HF_ENDPOINT/);
    expect(r.stderr).toMatch(/HF_HUB_OFFLINE/);
  }, 60_000);
});
