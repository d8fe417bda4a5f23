export { nodeRuntime, sessionCacheDir, type NodeRuntimeOptions } from './node-runtime.js';
export { DiskSessionCache } from './session-cache.js';
export { sessionCacheKey, fileIdentity } from './session-cache-key.js';
/** Local files as FileHandles live in @maskgen/hub/node; re-exported because runtime-node maps them in place. */
export { nodeFile } from '@maskgen/hub/node';
