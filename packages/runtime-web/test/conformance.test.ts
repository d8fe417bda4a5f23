import { runtimeConformance } from '@maskgen/test-utils';
import { webRuntime } from '../src/index.js';

runtimeConformance('runtime-web (wasm, in Node)', () => webRuntime({ device: 'wasm', threads: 1 }), { large: { mode: 'reject' } });
