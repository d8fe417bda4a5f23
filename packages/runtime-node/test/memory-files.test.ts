import { runtimeConformance } from '@maskgen/test-utils';
import { describe } from 'vitest';
import { nodeFile, nodeRuntime } from '../src/index.js';

// Files without a local path (remote or in-memory) take runtime-node's packed-copy path.
describe('in-memory weight files', () => {
  runtimeConformance('runtime-node (memory files)', () => nodeRuntime({ threads: 1 }), { large: { mode: 'load', open: nodeFile } });
});
