import type { Runtime } from '@maskgen/core';
import { nodeRuntime } from '@maskgen/runtime-node';
import { existsSync, statSync } from 'node:fs';

/** `--runtime node|web` → a Runtime; web runs onnxruntime-web's WASM build inside Node. */
export async function makeRuntime(kind: string | undefined, threads: number | undefined): Promise<Runtime> {
  if (kind === 'web') {
    const { webRuntime } = await import('@maskgen/runtime-web');
    return webRuntime({ device: 'wasm', threads: threads ?? 1 });
  }
  return nodeRuntime(threads !== undefined ? { threads } : {});
}

/** True when a --model/--tokenizer value names a local folder or checkpoint file instead of a hub repo id or hub file. */
export function isLocalPath(value: string): boolean {
  return value.startsWith('.') || value.startsWith('/') || (existsSync(value) && (statSync(value).isDirectory() || statSync(value).isFile()));
}
