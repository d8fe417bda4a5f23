import { describe, expect, it } from 'vitest';
import { type FileHandle, isMaskgenError, memoryFile } from '../src/index.js';
import { MAX_VIEW_EXPANSION, TorchCheckpoint } from '../src/pickle/torch-checkpoint.js';
import { type FixtureTensor, f32bytes, legacyFile, stateDictPickle, zipFile } from './pickle-fixtures.js';

/** One 6-float storage (24 bytes: 0..5) and the views a hostile state dict puts on it. */
const STORAGE = f32bytes([0, 1, 2, 3, 4, 5]);
type View = Omit<FixtureTensor, 'storage' | 'key' | 'numel'> & { numel?: number };
const views = (vs: View[]): FixtureTensor[] => vs.map((v) => ({ storage: 'storage', key: '0', numel: 6, ...v }));

/** A handle that records the furthest byte read: proof a refused view is refused before its bytes are touched. */
function guarded(bytes: Uint8Array): FileHandle & { maxEnd: number } {
  const inner = memoryFile(bytes, 'views.bin');
  const h = { name: inner.name, size: inner.size, maxEnd: 0, read: (o: number, l: number) => ((h.maxEnd = Math.max(h.maxEnd, o + l)), inner.read(o, l)) };
  return h;
}

const containers: [string, (vs: View[]) => Uint8Array][] = [
  ['zip', (vs) => zipFile({ 'a/data.pkl': stateDictPickle(views(vs)), 'a/data/0': STORAGE })],
  ['legacy', (vs) => legacyFile(views(vs), { '0': STORAGE })],
];

async function refused(bytes: Uint8Array, message: RegExp): Promise<void> {
  const h = guarded(bytes);
  const e = await TorchCheckpoint.open(h).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(isMaskgenError(e, 'INVALID_CHECKPOINT'), String(e)).toBe(true);
  expect((e as Error).message).toMatch(message);
  expect(h.maxEnd).toBeLessThanOrEqual(bytes.byteLength);
}

async function reads(bytes: Uint8Array): Promise<Record<string, number[]>> {
  const ckpt = await TorchCheckpoint.open(memoryFile(bytes));
  const out: Record<string, number[]> = {};
  for (const name of ckpt.tensors.keys()) out[name] = Array.from(await ckpt.readFloat32(name));
  return out;
}

for (const [container, file] of containers) {
  describe(`pickled tensor views are checked against their storage before any read (${container} container)`, () => {
    it('refuses an offset past the storage', () =>
      refused(file([{ name: 'w', offset: 6, size: [1] }]), /"w" \[1\] \(offset 6, stride \[1\]\) reaches byte 28 of a 24-byte storage/));
    it('refuses a size past the storage', () => refused(file([{ name: 'w', size: [7] }]), /reaches byte 28 of a 24-byte storage/));
    it('refuses offset + size past the storage', () => refused(file([{ name: 'w', offset: 4, size: [3] }]), /reaches byte 28/));
    it('refuses strides that step past the storage', () =>
      refused(file([{ name: 'w', size: [2, 3], stride: [4, 1] }]), /\(offset 0, stride \[4,1\]\) reaches byte 28/));
    it('refuses a huge stride without arithmetic wrap', () => refused(file([{ name: 'w', size: [2], stride: [2 ** 52] }]), /reaches byte/));
    it('refuses a storage numel larger than its bytes', () =>
      refused(file([{ name: 'w', size: [100], numel: 100 }]), /reaches byte 400 of a 24-byte storage|holds|100 elements/));
    it('refuses an element count past 2^53', () =>
      refused(file([{ name: 'w', size: [2 ** 30, 2 ** 30, 2 ** 30], stride: [0, 0, 0] }]), /more elements than a JavaScript number counts exactly/));
    it('refuses size and stride of different ranks', () => refused(file([{ name: 'w', size: [2, 3], stride: [1] }]), /differ in rank/));
    it('refuses negative strides', () => refused(file([{ name: 'w', size: [2], stride: [-1] }]), /stride must be a tuple of up to 16 non-negative integers/));
    it('refuses a negative offset', () => refused(file([{ name: 'w', offset: -1, size: [1] }]), /storage offset -1 is not a non-negative integer/));
    it('refuses more than 16 dims', () => refused(file([{ name: 'w', size: new Array(17).fill(1) }]), /up to 16 non-negative integers/));
    it('refuses a zero-stride view that would expand past the bound (4 bytes → 4 GB)', () =>
      refused(
        file([{ name: 'w', size: [1e9], stride: [0] }]),
        new RegExp(`"w" \\[1000000000\\] \\(stride \\[0\\]\\) presents 4000000000 bytes from a 24-byte storage; .* ${MAX_VIEW_EXPANSION} bytes in all`),
      ));

    it('accepts a zero-length view at the end of the storage', async () => expect(await reads(file([{ name: 'w', offset: 6, size: [0] }]))).toEqual({ w: [] }));
    it('accepts zero-stride (expanded) views, as torch.load does', async () =>
      expect(await reads(file([{ name: 'w', offset: 2, size: [2, 3], stride: [0, 1] }]))).toEqual({ w: [2, 3, 4, 2, 3, 4] }));
    it('accepts overlapping views of one storage, as torch.load does', async () =>
      expect(
        await reads(
          file([
            { name: 'a', size: [4] },
            { name: 'b', offset: 2, size: [4] },
          ]),
        ),
      ).toEqual({ a: [0, 1, 2, 3], b: [2, 3, 4, 5] }));
    it('reads a transposed view in C order', async () =>
      expect(await reads(file([{ name: 't', size: [3, 2], stride: [1, 3] }]))).toEqual({ t: [0, 3, 1, 4, 2, 5] }));
  });
}
