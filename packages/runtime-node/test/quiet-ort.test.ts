import { join } from 'node:path';
import { quietOrtConformance } from '@maskgen/test-utils';

quietOrtConformance(
  'runtime-node',
  join(__dirname, '..'),
  "const { nodeRuntime } = await import('@maskgen/runtime-node'); const make = () => nodeRuntime({ threads: 1 });",
);
