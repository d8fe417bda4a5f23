export { validateRepoId, validateFileName, validateRevision, resolveUrl } from './hub-names.js';
export { HubHttp, type RetryOptions, type RetryInfo, type HubResponse } from './hub-http.js';
export { type FileMetadata, hubStatusError, fetchMetadata } from './file-metadata.js';
export {
  type FileStore,
  type FileWrite,
  type RangeStore,
  type EntryKey,
  type EntryMeta,
  type StoreBackend,
  type CacheBackend,
  putBytes,
  keyString,
} from './file-store.js';
export { memoryStore, memoryStore as memoryBlobStore } from './memory-store.js';
export { downloadFile, type DownloadRequest } from './download-file.js';
export type { TransferContext } from './transfer-body.js';
export type { TransferLimits } from './transfer-limits.js';
export { type HashFactory, type Hasher, jsHashes } from './content-check.js';
export { browserSource, type BrowserSource, type BrowserSourceOptions } from './web/browser-source.js';
export { listCached, purgeCache, type CachedEntry } from './web/cache-admin.js';
export { cacheStorageStore } from './web/cache-storage-store.js';
export { opfsStore } from './web/opfs-store.js';
export type { StorageEnv } from './web/store-select.js';
export { memorySource, memoryFile, type ModelSource, type FileHandle, type SourceOptions } from '@maskgen/core';
/** @deprecated the browser stores are FileStores now; kept so code typed against BlobStore still compiles. */
export type { FileStore as BlobStore } from './file-store.js';
