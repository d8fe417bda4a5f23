import type { Runtime } from '@maskgen/core';
import { defaultHubCache } from '@maskgen/hub/node';
import { nodeRuntime } from '@maskgen/runtime-node';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the CLI keeps built sessions (runtime-node's session cache): `$MASKGEN_SESSION_CACHE`
 * (`0`/`off` turns it off), else beside the hub cache, so `cache ls`/`rm` find it next to the models.
 */
export function cliSessionCache(env: Record<string, string | undefined> = process.env, hubCache = defaultHubCache(env)): string | false {
  const v = env.MASKGEN_SESSION_CACHE?.trim();
  if (v) return /^(0|off|false|no)$/i.test(v) ? false : v;
  return join(hubCache, '.maskgen', 'sessions', 'onnxruntime-node');
}

/**
 * `--runtime node|web` → a Runtime; web runs onnxruntime-web's WASM build inside Node. Commands that
 * load models keep built sessions between runs (`sessionCache`); the bench times builds without it.
 */
export async function makeRuntime(kind: string | undefined, threads: number | undefined, o: { sessionCache?: boolean } = {}): Promise<Runtime> {
  if (kind === 'web') {
    const { webRuntime } = await import('@maskgen/runtime-web');
    return webRuntime({ device: 'wasm', threads: threads ?? 1 });
  }
  return nodeRuntime({ ...(threads !== undefined ? { threads } : {}), sessionCache: o.sessionCache ? cliSessionCache() : false });
}

/** True when a --model/--tokenizer value names a local folder or checkpoint file instead of a hub repo id or hub file. */
export function isLocalPath(value: string): boolean {
  return value.startsWith('.') || value.startsWith('/') || (existsSync(value) && (statSync(value).isDirectory() || statSync(value).isFile()));
}
