import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const GOLDEN = resolve(__dirname, '../../../../shared/golden');

/** Case kinds whose models are implemented; each must pass every call on every runtime. */
const IMPLEMENTED = ['clip_tokenizer', 'clip_text', 'tatitok_vq', 'tatitok_vae', 'maskgen_vq', 'e2e_vq'];

describe('reference goldens (../shared/golden)', () => {
  it('the golden folder is present', () => {
    expect(existsSync(GOLDEN), `expected the golden data at ${GOLDEN}`).toBe(true);
  });

  for (const name of IMPLEMENTED) {
    it(`${name} passes on runtime-node and runtime-web`, () => {
      const r = spawnSync(process.execPath, [CLI, join(GOLDEN, name)], { encoding: 'utf8' });
      const lines = r.stdout.trim().split('\n');
      const fails = lines.filter((l) => l.startsWith('FAIL'));
      expect(fails, r.stdout + r.stderr).toEqual([]);
      expect(lines.filter((l) => l.startsWith('PASS') && l.includes('[node]')).length).toBeGreaterThan(0);
      expect(lines.filter((l) => l.startsWith('PASS') && l.includes('[web-wasm]')).length).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
      expect(r.status).toBe(0);
    }, 120_000);
  }
});
