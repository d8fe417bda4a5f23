export { nodeRuntime, type NodeRuntimeOptions } from './node-runtime.js';
export { nodeFile } from './node-file.js';
export { folderSource } from './folder-source.js';
export { hubSource } from './hub/hub-source.js';
export type { HubSource, HubSourceOptions } from './hub/hub-source-types.js';
export { defaultHubCache, type HubSettings } from './hub/hub-settings.js';
export type { RetryOptions } from './hub/hub-http.js';
export { nodeCacheIo, type CacheIo, type WritableFile } from './hub/cache-io.js';
