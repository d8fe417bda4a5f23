export { webRuntime, webBackendInfo, type WebRuntimeOptions, DEFAULT_WASM_WEIGHT_LIMIT } from './web-runtime.js';
export { resolveWebDevice, adapterLabel, type WebDeviceRequest, type WebDeviceChoice, type WebGpuAdapterInfo } from './webgpu-device.js';
export { cacheStoragePackCache, type CacheStoragePackCache, PACK_CACHE_NAME } from './cache-storage-pack-cache.js';
