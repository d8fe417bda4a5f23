export { webRuntime, webBackendInfo, type WebRuntimeOptions, DEFAULT_WASM_WEIGHT_LIMIT } from './web-runtime.js';
