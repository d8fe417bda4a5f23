export { nodeRuntime, type NodeRuntimeOptions } from './node-runtime.js';
export { nodeFile } from './node-file.js';
