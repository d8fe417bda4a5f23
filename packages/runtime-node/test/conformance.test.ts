import { runtimeConformance } from '@maskgen/test-utils';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFile, nodeRuntime } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'maskgen-conf-'));
let n = 0;

// Real files on disk, so the in-place (memory-mapped external data) path is what gets tested.
runtimeConformance('runtime-node', () => nodeRuntime({ threads: 1 }), {
  files: async (bytes, name) => {
    const p = join(dir, `${n++}-${name}`);
    writeFileSync(p, bytes);
    return nodeFile(p);
  },
  large: { mode: 'load', open: nodeFile },
});
