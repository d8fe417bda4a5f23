export { webRuntime, webBackendInfo, type WebRuntimeOptions, DEFAULT_WASM_WEIGHT_LIMIT } from './web-runtime.js';
export { resolveWebDevice, adapterLabel, type WebDeviceRequest, type WebDeviceChoice, type WebGpuAdapterInfo } from './webgpu-device.js';
export { browserSource, type BrowserSource, type BrowserSourceOptions } from './cache/browser-source.js';
export { listCached, purgeCache, type CachedEntry } from './cache/cache-admin.js';
export type { CacheBackend, EntryMeta } from './cache/blob-store.js';
export type { StorageEnv } from './cache/store-select.js';
