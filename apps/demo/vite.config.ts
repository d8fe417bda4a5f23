import { defaultClientConditions, defineConfig } from 'vite';
import { ortAssets } from './build/ort-assets.js';

/** COOP + COEP make the page cross-origin isolated: SharedArrayBuffer, hence WASM threads. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  plugins: [ortAssets()],
  // ORT's "extern wasm" entry loads its wasm/mjs from wasmPaths (served by ortAssets) instead of
  // inlining a second copy into the bundle.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
