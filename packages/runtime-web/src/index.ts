export { webRuntime, type WebRuntimeOptions } from './web-runtime.js';
