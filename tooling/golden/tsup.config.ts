import { packageConfig } from '@maskgen/tsconfig/tsup.mjs';
import { defineConfig } from 'tsup';

export default [
  packageConfig({ entry: ['src/cli.ts', 'src/real-sizes.ts', 'src/chromium-bench.ts'], bin: true }),
  defineConfig({
    // The page `web-webgpu` loads: case runners + runtime-web bundled for the browser. ORT's
    // "extern wasm" entry loads its .wasm/.mjs from the runner's /ort/ instead of inlining them.
    entry: { 'browser/golden-page': 'src/browser/page.ts', 'browser/bench-page': 'src/browser/bench-page.ts' },
    format: ['esm'],
    // Each page is one self-contained file: the page server serves nothing else of dist/.
    splitting: false,
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    esbuildOptions(o) {
      o.conditions = ['onnxruntime-web-use-extern-wasm', 'browser', 'import', 'default'];
    },
  }),
];
