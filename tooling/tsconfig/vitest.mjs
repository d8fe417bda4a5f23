// @ts-check
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, mergeConfig } from 'vitest/config';

/**
 * Tests run on the workspace's sources: the `source` export condition (first in every workspace
 * package's exports map, see docs/architecture.md) resolves `@maskgen/*` to `src/*.ts`, so
 * `vitest run` in any package needs no prior build. Published tarballs never see the condition's
 * target (`files: ["dist"]`); Node and bundlers outside this repo skip it because nobody sets it.
 *
 * Tests assert results, never speed (speed targets live in `maskgen bench`): vitest's 5 s default turned
 * heavy golden replays into failures on a loaded 2-core CI machine, so a test may take up to a minute
 * unless it sets its own bound; hooks likewise.
 *
 * @param {import('vitest/config').UserConfig} [overrides] merged over the shared settings
 */
export function packageTestConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      resolve: { conditions: ['source', ...defaultClientConditions] },
      ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
      test: { testTimeout: 60_000, hookTimeout: 60_000 },
    }),
    overrides,
  );
}
