export { hubSource } from './hub-source.js';
export type { HubSource, HubSourceOptions } from './hub-source-types.js';
export { defaultHubCache, type HubSettings } from './hub-settings.js';
export { nodeCacheIo, type CacheIo, type WritableFile } from './cache-io.js';
export { folderSource } from './folder-source.js';
export { nodeFile } from './node-file.js';
export { listCache, removeFromCache, type CachedRepo } from './cache-admin.js';
export { hubSources, type SourceResolverOptions } from './hub-sources.js';
export type { RetryOptions } from '../hub-http.js';
