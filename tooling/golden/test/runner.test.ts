import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors, tensor } from '@maskgen/core';
import { describe, expect, it } from 'vitest';
import { compareArrays } from '../src/compare.js';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const run = (dir: string) => spawnSync(process.execPath, [CLI, dir], { encoding: 'utf8', env: { ...process.env, GOLDEN_RUNTIMES: 'node' } });

// Each test spawns the runner (Node + ORT start-up): seconds on a loaded 2-core machine, past vitest's 5 s default.
describe('golden runner', { timeout: 60_000 }, () => {
  it('exits 2 with a message when no case folder exists', () => {
    const r = run(mkdtempSync(join(tmpdir(), 'golden-empty-')));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no case folders/);
  });

  it('reports every call of an unknown case kind as FAIL and exits non-zero', () => {
    const root = mkdtempSync(join(tmpdir(), 'golden-unknown-'));
    const dir = join(root, 'mystery');
    mkdirSync(dir);
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ case: 'mystery', calls: [{ name: 'a' }, { name: 'b' }] }));
    writeFileSync(join(dir, 'io.safetensors'), encodeSafetensors({ x: tensor('float32', [1], [1]) }));
    const r = run(root);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL mystery :: a \[node\]/);
    expect(r.stdout).toMatch(/FAIL mystery :: b \[node\]/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 2 failed');
  });

  it('fails a case whose io.safetensors is corrupt instead of crashing', () => {
    const root = mkdtempSync(join(tmpdir(), 'golden-corrupt-'));
    const dir = join(root, 'clip_tokenizer');
    mkdirSync(dir);
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ case: 'clip_tokenizer', calls: [{ fn: 'tok' }] }));
    writeFileSync(join(dir, 'io.safetensors'), new Uint8Array([1, 2, 3]));
    const r = run(root);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL clip_tokenizer :: tok \[node\].*safetensors/);
  });
});

describe('compareArrays', () => {
  it('applies allclose, exact and max_abs_diff tolerances', () => {
    expect(compareArrays('c', [1, 2], [1.00001, 2], { atol: 1e-4, rtol: 0 }).pass).toBe(true);
    expect(compareArrays('c', [1, 2], [1.001, 2], { atol: 1e-4, rtol: 0 }).pass).toBe(false);
    expect(compareArrays('c', [100], [100.01], { atol: 0, rtol: 1e-3 }).pass).toBe(true);
    expect(compareArrays('c', [3], [3], 'exact').pass).toBe(true);
    expect(compareArrays('c', [3], [4], 'exact').pass).toBe(false);
    expect(compareArrays('c', [10], [11], { max_abs_diff: 1 }).pass).toBe(true);
    expect(compareArrays('c', [10], [12], { max_abs_diff: 1 }).pass).toBe(false);
    expect(compareArrays('c', [1], [Number.NaN], { atol: 1 }).pass).toBe(false);
    expect(compareArrays('c', [1, 2], [1], 'exact').pass).toBe(false);
    expect(compareArrays('c', [1, 2], [1, 2], 'exact', { expected: [2], actual: [1, 2] }).pass).toBe(false);
  });
});
