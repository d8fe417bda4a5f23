export { nodeRuntime, type NodeRuntimeOptions } from './node-runtime.js';
/** Local files as FileHandles live in @maskgen/hub/node; re-exported because runtime-node maps them in place. */
export { nodeFile } from '@maskgen/hub/node';
