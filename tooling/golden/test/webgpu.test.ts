import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const GOLDEN = resolve(__dirname, '../../../../shared/golden');

/**
 * The WebGPU subset `pnpm test` runs in headless Chromium on SwiftShader's fallback adapter, kept to
 * about a minute: TA-TiTok encode/decode (the Split that broke first, conv, attention) and its int8
 * (DequantizeLinear → Gemm on WebGPU, held to WASM's int8 error).
 * The MM-DiT generator (tanh-GELU) runs on WebGPU in the demo's e2e test; the whole set runs with
 * `pnpm golden ../shared/golden --runtime web-webgpu` (about 7 minutes here).
 */
const SUBSET = ['tatitok_vae'];

describe('reference goldens on WebGPU (Chromium, fallback adapter)', () => {
  for (const name of SUBSET) {
    it(`${name}: every call passes on web-webgpu`, () => {
      const r = spawnSync(process.execPath, [CLI, join(GOLDEN, name), '--runtime', 'web-webgpu'], { encoding: 'utf8', timeout: 300_000 });
      const lines = r.stdout.trim().split('\n');
      expect(lines[0], r.stdout + r.stderr).toMatch(/^# \[web-webgpu\] Chromium, onnxruntime-web device webgpu, adapter /);
      const fails = lines.filter((l) => l.startsWith('FAIL'));
      expect(fails, r.stdout + r.stderr).toEqual([]);
      expect(
        lines.some((l) => /^PASS \S+ :: int8 .*\[web-webgpu\]/.test(l)),
        r.stdout,
      ).toBe(true);
      const passed = lines.filter((l) => l.startsWith('PASS') && l.includes('[web-webgpu]')).length;
      expect(passed).toBeGreaterThan(0);
      expect(lines.at(-1)).toBe(`${passed} passed, 0 failed`);
      expect(r.status).toBe(0);
    }, 320_000);
  }
});

describe('golden runner --runtime', () => {
  it('rejects an unknown runtime with the allowed list', () => {
    const r = spawnSync(process.execPath, [CLI, GOLDEN, '--runtime', 'node,cuda'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown "cuda"; allowed: node, web-wasm, web-webgpu/);
  });
});
