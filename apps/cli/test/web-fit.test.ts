import { DEFAULT_WASM_WEIGHT_LIMIT } from '@maskgen/runtime-web';
import { describe, expect, it } from 'vitest';
import { generatorSize } from '../src/bench/generator-sizes.js';
import { maskgenKlShapes, maskgenVqShapes, paramCount } from '../src/bench/random-checkpoints.js';
import { sessionWeights } from '../src/bench/web-fit.js';

const GiB = 1024 ** 3;
const layouts = {
  vq: (l: 'l' | 'xl') => {
    const s = generatorSize('vq', l);
    return maskgenVqShapes(s.dim, s.depth, s.heads);
  },
  kl: (l: 'l' | 'xl') => {
    const s = generatorSize('kl', l);
    return maskgenKlShapes(s.dim, s.depth, s.heads, s.mlpBlocks, s.mlpWidth);
  },
};

describe("XL generators against runtime-web's WebAssembly weight limit (sessions built from the layouts, nothing run)", () => {
  for (const kind of ['vq', 'kl'] as const) {
    it(`maskgen-${kind}-xl: float32 exceeds the limit in its largest session, int8 fits in every session`, async () => {
      const { shapes, config } = layouts[kind]('xl');
      const f32 = await sessionWeights(kind, shapes, config, 'float32');
      const i8 = await sessionWeights(kind, shapes, config, 'int8');
      const big = (s: { usedBytes: number }[]) => Math.max(...s.map((x) => x.usedBytes));
      const line = (s: { name: string; usedBytes: number }[]) => s.map((x) => `${x.name} ${(x.usedBytes / GiB).toFixed(2)} GiB`).join(', ');
      console.log(
        `maskgen-${kind}-xl (${(paramCount(shapes) / 1e6).toFixed(0)}M params), limit ${(DEFAULT_WASM_WEIGHT_LIMIT / GiB).toFixed(2)} GiB:\n  float32: ${line(f32)}\n  int8: ${line(i8)}`,
      );
      expect(big(f32)).toBeGreaterThan(DEFAULT_WASM_WEIGHT_LIMIT);
      expect(big(i8)).toBeLessThan(DEFAULT_WASM_WEIGHT_LIMIT);
      // int8 carries the big linears at 1 + 4/32 bytes a weight: well under half the float32 bytes.
      expect(big(i8)).toBeLessThan(0.5 * big(f32));
    });
  }
});
