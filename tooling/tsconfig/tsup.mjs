// @ts-check
import { defineConfig } from 'tsup';

/**
 * One build recipe for every package, so ESM-only output, targets and declaration files cannot drift
 * between packages. Plain JS (no build step of its own) because tsup loads it through each package's
 * `tsup.config.ts` before anything in the workspace is built.
 *
 * @param {{ entry?: import('tsup').Options['entry'], bin?: boolean } & Omit<import('tsup').Options, 'entry'>} [options]
 *   `entry` defaults to `src/index.ts`; `bin: true` is a CLI entry: a shebang, no declaration files.
 */
export function packageConfig(options = {}) {
  const { bin = false, entry = ['src/index.ts'], ...rest } = options;
  return defineConfig({
    entry,
    format: ['esm'],
    dts: !bin,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    ...(bin ? { banner: { js: '#!/usr/bin/env node' } } : {}),
    ...rest,
  });
}
