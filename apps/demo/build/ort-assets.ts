import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

/**
 * The ONNX Runtime Web files the app loads at run time: the WebGPU+WASM ("jsep") build, which the
 * `onnxruntime-web-use-extern-wasm` entry imports from `wasmPaths` instead of inlining. Resolved
 * through the package's exports, so an ORT upgrade that renames them fails the build loudly.
 */
export const ORT_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'] as const;

/** Where the app serves them (the worker's `wasmPaths` is `<base>ort/`). */
export const ORT_DIR = 'ort';

const require = createRequire(import.meta.url);

function ortFile(name: string): string {
  return require.resolve(`onnxruntime-web/${name}`);
}

/**
 * Serves ORT's wasm/mjs from the app itself (no CDN): copied into `<outDir>/ort/` at build time
 * (not committed), and served from node_modules by the dev server.
 */
export function ortAssets(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'maskgen-ort-assets',
    configResolved(c) {
      config = c;
    },
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const prefix = `${server.config.base}${ORT_DIR}/`;
        const name = req.url?.startsWith(prefix) ? req.url.slice(prefix.length).split('?')[0] : undefined;
        if (!name || !(ORT_FILES as readonly string[]).includes(name)) return next();
        // The server's own headers (COOP/COEP) are not applied to middleware responses; a pthread
        // worker script without COEP is blocked in a cross-origin-isolated page.
        for (const [k, v] of Object.entries(server.config.server.headers ?? {})) if (v !== undefined) res.setHeader(k, v);
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.end(await readFile(ortFile(name)));
      });
    },
    async writeBundle() {
      const dir = resolve(config.root, config.build.outDir, ORT_DIR);
      await mkdir(dir, { recursive: true });
      for (const name of ORT_FILES) await copyFile(ortFile(name), resolve(dir, name));
    },
  };
}
