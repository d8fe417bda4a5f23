import { defineConfig } from 'vitest/config';

// Separate from vite.config.ts: the app's browser build settings must not apply to the Node-side test.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
