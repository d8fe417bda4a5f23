import { encodeSafetensors, tensor } from '@maskgen/core';
import { type MockHub, type MockHubOptions, startMockHub } from '@maskgen/mock-hub';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HubSourceOptions, hubSource } from '../src/node/index.js';

export const REPO = 'acme/tiny-model';
export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
export const gitSha1 = (b: Uint8Array) => createHash('sha1').update(`blob ${b.byteLength}\0`).update(b).digest('hex');

/** A small repo: a config (plain git file) and a safetensors file (LFS) with a big "vision" and a small "text" tensor. */
export function repoFiles(): Record<string, Uint8Array> {
  const vision = new Float32Array(256 * 1024).map((_, i) => Math.sin(i));
  const text = new Float32Array(64).map((_, i) => i / 8);
  return {
    'config.json': new TextEncoder().encode(JSON.stringify({ model: { width: 64 } })),
    'model.safetensors': encodeSafetensors({
      'text.weight': tensor('float32', [8, 8], text),
      'vision.weight': tensor('float32', [512, 512], vision),
    }),
    'sub/notes.txt': new TextEncoder().encode('nested file'),
  };
}

/** A temp root with the repo on disk, a mock hub serving it, and a fresh cache folder. */
export interface HubFixture {
  hub: MockHub;
  root: string;
  cacheDir: string;
  files: Record<string, Uint8Array>;
  /** A source with fast retries/timeouts for tests. */
  source(o?: HubSourceOptions): ReturnType<typeof hubSource>;
  /** Requests the hub saw since the last call. */
  takeRequests(): MockHub['requests'];
  /** Every file under the cache, relative, sorted. */
  listCache(): Promise<string[]>;
  close(): Promise<void>;
}

export async function hubFixture(hubOptions: MockHubOptions = {}): Promise<HubFixture> {
  const root = await mkdtemp(join(tmpdir(), 'hub-test-'));
  const files = repoFiles();
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(join(root, 'repos', REPO, name, '..'), { recursive: true });
    await writeFile(join(root, 'repos', REPO, name), bytes);
  }
  const hub = await startMockHub({ root: join(root, 'repos'), ...hubOptions });
  const cacheDir = join(root, 'cache');
  let seen = 0;
  return {
    hub,
    root,
    cacheDir,
    files,
    source: (o = {}) =>
      hubSource(REPO, {
        endpoint: hub.url,
        cacheDir,
        env: {},
        retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 20 },
        timeouts: { metadataMs: 2000, stallMs: 300 },
        ...o,
      }),
    takeRequests() {
      const out = hub.requests.slice(seen);
      seen = hub.requests.length;
      return out;
    },
    async listCache() {
      try {
        return ((await readdir(cacheDir, { recursive: true, withFileTypes: true })) as import('node:fs').Dirent[])
          .filter((d) => !d.isDirectory())
          .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name).slice(cacheDir.length + 1))
          .sort();
      } catch {
        return [];
      }
    },
    async close() {
      await hub.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Reads a whole FileHandle. */
export async function readAll(h: { size: number; read(o: number, l: number): Promise<Uint8Array> }): Promise<Uint8Array> {
  return h.read(0, h.size);
}

/** Byte equality without vitest's element-by-element diff (slow on megabytes). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
