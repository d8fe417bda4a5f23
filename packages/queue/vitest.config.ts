import { fileURLToPath } from 'node:url';
import { packageTestConfig } from '@maskgen/tsconfig/vitest.mjs';

// The docs' HTTP example (test/http-front-end.test.ts) imports the package by its own name, as users do.
export default packageTestConfig({
  resolve: { alias: [{ find: /^@maskgen\/queue$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
});
