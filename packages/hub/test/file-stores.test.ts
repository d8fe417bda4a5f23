import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntryKey, type EntryMeta, type FileStore, cacheStorageStore, memoryStore, opfsStore, putBytes } from '../src/index.js';
import { diskStore, folderStore } from '../src/node/index.js';
import { FakeCacheStorage, FakeDirectory } from './fake-storage.js';

const REPO = 'acme/store-test';
const COMMIT = 'c'.repeat(40);
const bytes = new TextEncoder().encode('0123456789abcdefghij');
const etag = createHash('sha256').update(bytes).digest('hex');
const key = (file: string, part?: EntryKey['part']): EntryKey => ({ repoId: REPO, revision: COMMIT, file, ...(part ? { part } : {}) });
const meta = (file: string, kind: EntryMeta['kind'] = 'file'): EntryMeta => ({
  repoId: REPO,
  revision: COMMIT,
  file,
  size: bytes.byteLength,
  kind,
  etag,
  commit: COMMIT,
  lfs: true,
  storedAt: 1,
});

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'file-stores-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const stores: [string, () => FileStore][] = [
  ['memory', () => memoryStore()],
  ['Cache Storage (fake API)', () => cacheStorageStore(new FakeCacheStorage().asCacheStorage())],
  ['OPFS (fake API)', () => opfsStore(new FakeDirectory().root())],
  ['disk cache (Python layout)', () => diskStore(join(work, 'disk'))],
  ['folder', () => folderStore(join(work, 'folder'), { id: REPO })],
];

/** The FileStore contract every storage keeps; the sources' behaviour on top is sourceConformance's. */
for (const [name, make] of stores) {
  describe(`FileStore contract: ${name}`, () => {
    it('a streamed write is invisible until commit, then reads back whole and by range; listed; deleted', async () => {
      const s = make();
      const w = await s.put(key('dir/w.bin'), meta('dir/w.bin'));
      await w.write(bytes.subarray(0, 7), 0);
      await w.write(bytes.subarray(7), 7);
      expect(await s.has(key('dir/w.bin'))).toBe(false);
      await w.commit();
      const hit = await s.get(key('dir/w.bin'));
      expect(hit?.handle.size).toBe(bytes.byteLength);
      expect(Buffer.from(await hit!.handle.read(0, bytes.byteLength)).equals(Buffer.from(bytes))).toBe(true);
      expect(new TextDecoder().decode(await hit!.handle.read(3, 4))).toBe('3456');
      expect((await s.list()).some((e) => e.key.file === 'dir/w.bin' && e.meta.kind === 'file')).toBe(true);
      await s.delete(key('dir/w.bin'));
      expect(await s.has(key('dir/w.bin'))).toBe(false);
    });

    it('an aborted write leaves nothing; a restart from byte 0 replaces what was written', async () => {
      const s = make();
      const a = await s.put(key('gone.bin'), meta('gone.bin'));
      await a.write(bytes.subarray(0, 5), 0);
      await a.abort(false);
      expect(await s.has(key('gone.bin'))).toBe(false);
      expect((await s.list()).map((e) => e.key.file)).not.toContain('gone.bin');
      const b = await s.put(key('again.bin'), meta('again.bin'));
      await b.write(new Uint8Array(8).fill(1), 0);
      await b.truncate(0);
      await b.write(bytes, 0);
      await b.commit();
      const hit = await s.get(key('again.bin'));
      expect(Buffer.from(await hit!.handle.read(0, hit!.handle.size)).equals(Buffer.from(bytes))).toBe(true);
    });

    it('records what the hub said (info, missing) without bytes', async () => {
      const s = make();
      await putBytes(s, key('big.bin', 'info'), meta('big.bin', 'info'));
      await putBytes(s, key('absent.json', 'missing'), { ...meta('absent.json', 'missing'), size: 0 });
      expect((await s.get(key('big.bin', 'info')))?.meta).toMatchObject({ size: bytes.byteLength, etag });
      expect(await s.has(key('absent.json', 'missing'))).toBe(true);
      expect(await s.has(key('big.bin'))).toBe(false);
    });

    it('the range cache keeps only what was committed, and a new handle of the store finds it', async () => {
      const s = make();
      const m = meta('ranged.bin', 'info');
      const r = s.ranges(key('ranged.bin'), m, 4);
      expect(await r.missing(0, 8)).toEqual([[0, 8]]);
      await r.write(4, bytes.subarray(4, 8));
      await r.commit(4, 8);
      expect(await r.missing(0, 12)).toEqual([
        [0, 4],
        [8, 12],
      ]);
      expect(new TextDecoder().decode(await s.ranges(key('ranged.bin'), m, 4).read(5, 3))).toBe('567');
      await r.close();
    });
  });
}
