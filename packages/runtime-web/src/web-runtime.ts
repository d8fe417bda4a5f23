import { MaskgenError, type Runtime } from '@maskgen/core';

/** Options of the web runtime. */
export interface WebRuntimeOptions {
  device?: 'wasm' | 'webgpu';
}

/** onnxruntime-web behind the core Runtime interface. */
export function webRuntime(_options: WebRuntimeOptions = {}): Runtime {
  return {
    name: 'onnxruntime-web',
    async createSession() {
      throw new MaskgenError('NOT_IMPLEMENTED', 'runtime-web is being written');
    },
  };
}
