import { join } from 'node:path';
import { quietOrtConformance } from '@maskgen/test-utils';

quietOrtConformance(
  'runtime-web (wasm, in Node)',
  join(__dirname, '..'),
  "const { webRuntime } = await import('@maskgen/runtime-web'); const make = () => webRuntime({ device: 'wasm', threads: 1 });",
);
