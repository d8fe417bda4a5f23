import { packageConfig } from '@maskgen/tsconfig/tsup.mjs';
import { defineConfig } from 'tsup';

export default [
  packageConfig({ entry: ['src/cli.ts', 'src/real-sizes.ts'], bin: true }),
  defineConfig({
    // The page `web-webgpu` loads: case runners + runtime-web bundled for the browser. ORT's
    // "extern wasm" entry loads its .wasm/.mjs from the runner's /ort/ instead of inlining them.
    entry: { 'browser/golden-page': 'src/browser/page.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    esbuildOptions(o) {
      o.conditions = ['onnxruntime-web-use-extern-wasm', 'browser', 'import', 'default'];
    },
  }),
];
