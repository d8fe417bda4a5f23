import { describe, expect, it, vi } from 'vitest';
import { isMaskgenError, memoryFile } from '../src/index.js';
import { TorchCheckpoint } from '../src/pickle/torch-checkpoint.js';
import { ZipArchive } from '../src/pickle/zip-archive.js';
import { f32bytes, stateDictPickle, zipFile } from './pickle-fixtures.js';

/** Two deflated storages of `n` floats each: the alternating-read pattern that thrashed a one-member cache. */
function twoDeflated(n: number): Uint8Array {
  const pkl = stateDictPickle([
    { name: 'a', storage: 'storage', key: '0', numel: n, size: [n] },
    { name: 'b', storage: 'storage', key: '1', numel: n, size: [n] },
  ]);
  const data = (v: number) => f32bytes(Array.from({ length: n }, () => v));
  return zipFile({ 'archive/data.pkl': pkl, 'archive/data/0': data(1), 'archive/data/1': data(2) }, { deflate: ['archive/data/0', 'archive/data/1'] });
}

describe('PyTorch zip checkpoints: decompression work is bounded per file', () => {
  it('alternating reads of two deflated storages inflate each once', async () => {
    const spy = vi.spyOn(ZipArchive.prototype, 'read');
    const ckpt = await TorchCheckpoint.open(memoryFile(twoDeflated(1024)));
    spy.mockClear();
    for (let i = 0; i < 200; i++) expect((await ckpt.readFloat32(i % 2 ? 'b' : 'a'))[0]).toBe(i % 2 ? 2 : 1);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('with no room to cache, re-inflating stops at twice the deflated bytes plus 64 MiB, with INVALID_CHECKPOINT', async () => {
    const ckpt = await TorchCheckpoint.open(memoryFile(twoDeflated(256 * 1024)), { inflateCacheBytes: 0 });
    let error: unknown;
    let reads = 0;
    try {
      for (; reads < 10_000; reads++) await ckpt.readFloat32(reads % 2 ? 'b' : 'a');
    } catch (e) {
      error = e;
    }
    expect(isMaskgenError(error, 'INVALID_CHECKPOINT'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/decompression work passed \d+ bytes/);
    // 1 MiB per read: (2 × 2 MiB + 64 MiB) / 1 MiB ≈ 68 reads, not 10,000.
    expect(reads).toBeGreaterThan(60);
    expect(reads).toBeLessThan(80);
  }, 60_000);
});
