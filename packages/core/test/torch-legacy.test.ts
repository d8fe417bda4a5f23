import { describe, expect, it } from 'vitest';
import { type FileHandle, isMaskgenError, memoryFile, openStateDict } from '../src/index.js';
import { TorchCheckpoint } from '../src/pickle/torch-checkpoint.js';
import { type FixtureTensor, type LegacyOptions, f32bytes, legacyFile, stateDictPickle, zipFile } from './pickle-fixtures.js';

const TENSORS: FixtureTensor[] = [
  { name: 'w', storage: 'storage', key: '0', numel: 6, size: [2, 3] },
  { name: 'wt', storage: 'storage', key: '0', numel: 6, size: [3, 2], stride: [1, 3] },
  { name: 'b', storage: 'storage', key: '1', numel: 2, size: [2], parameter: true },
];
const STORAGES = { '0': f32bytes([1, 2, 3, 4, 5, 6]), '1': f32bytes([7, 8]) };
const good = (o: LegacyOptions = {}, tensors = TENSORS) => legacyFile(tensors, STORAGES, o);

/** A handle that records the furthest byte asked for, to prove nothing is read out of bounds. */
function guarded(bytes: Uint8Array): FileHandle & { maxEnd: number } {
  const inner = memoryFile(bytes, 'legacy.bin');
  const h = { name: inner.name, size: inner.size, maxEnd: 0, read: (o: number, l: number) => ((h.maxEnd = Math.max(h.maxEnd, o + l)), inner.read(o, l)) };
  return h;
}

describe('torch legacy container (_use_new_zipfile_serialization=False)', () => {
  it('reads tensors (contiguous, strided, parameters) exactly as from the zip container', async () => {
    const legacy = await TorchCheckpoint.open(memoryFile(good()));
    const zip = await TorchCheckpoint.open(
      memoryFile(zipFile({ 'a/data.pkl': stateDictPickle(TENSORS), 'a/data/0': STORAGES['0'], 'a/data/1': STORAGES['1'] })),
    );
    expect([legacy.container, zip.container]).toEqual(['legacy', 'zip']);
    for (const name of ['w', 'wt', 'b']) expect(Array.from(await legacy.readFloat32(name)), name).toEqual(Array.from(await zip.readFloat32(name)));
    expect(Array.from(await legacy.readFloat32('wt'))).toEqual([1, 4, 2, 5, 3, 6]);
    const st = await openStateDict(memoryFile(good()));
    expect(st.info('w').dims).toEqual([2, 3]);
    expect(Array.from(await st.readFloat32('b'))).toEqual([7, 8]);
  });

  it('finds pickles longer than the first read window', async () => {
    const many = Array.from(
      { length: 30_000 },
      (_, i): FixtureTensor => ({ name: `layer.${i}.weight_with_a_long_name`, storage: 'storage', key: '0', numel: 6, size: [1], offset: i % 6 }),
    );
    const file = legacyFile(many, { '0': STORAGES['0'] });
    expect(file.byteLength).toBeGreaterThan(1 << 20);
    const ckpt = await TorchCheckpoint.open(memoryFile(file));
    expect(Array.from(await ckpt.readFloat32('layer.29999.weight_with_a_long_name'))).toEqual([6]);
  }, 30_000);

  const bytes = good();
  const hostile: [string, Uint8Array, RegExp][] = [
    ['truncated inside the pickles', bytes.subarray(0, 120), /truncated: the file .* ends inside its pickles/],
    ['truncated inside a storage size', bytes.subarray(0, bytes.byteLength - 8 - 4), /truncated: storage "1" starts at byte/],
    ['truncated inside storage bytes', bytes.subarray(0, bytes.byteLength - 3), /truncated: storage "1" \(8 bytes at byte \d+\) runs past the end/],
    ['wrong magic number', good({ magic: 0x1950a86a20f9469cfc6dn }), /magic number "119547037146038801333357" is not torch's/],
    ['wrong protocol', good({ protocol: 1000 }), /protocol 1000 is not 1001/],
    ['big-endian', good({ littleEndian: false }), /big-endian checkpoints are not supported/],
    ['storage size disagrees with the pickle', good({ counts: { '0': 5n } }), /storage "0" holds 5 elements but its tensors' pickle says 6/],
    [
      'huge declared size',
      good({}, [{ name: 'w', storage: 'storage', key: '0', numel: 2 ** 52, size: [2] }, TENSORS[2]]),
      /storage "0" holds 6 elements but its tensors' pickle says 4503599627370496/,
    ],
    [
      'huge size in both places',
      good({ counts: { '0': 2n ** 52n } }, [{ name: 'w', storage: 'storage', key: '0', numel: 2 ** 52, size: [2] }, TENSORS[2]]),
      /truncated: storage "0" \(18014398509481984 bytes/,
    ],
    [
      'tensor past its storage',
      good({}, [
        { name: 'w', storage: 'storage', key: '1', numel: 2, size: [3] },
        { ...TENSORS[0], name: 'x' },
      ]),
      /tensor "w" \[3\] \(offset 0, stride \[1\]\) reaches byte 12 of a 8-byte storage/,
    ],
    ['storage key listed twice', good({ keys: ['0', '0', '1'] }), /storage "0" is listed twice/],
    ['storage key nobody uses', good({ keys: ['0', '1', '9'] }), /storage "9" is listed but no tensor uses it/],
    ['used storage missing from the list', good({ keys: ['0'] }), /storage "1" is used by a tensor but missing from the storage key list/],
    ['storage view (pre-1.0)', legacyFile([{ ...TENSORS[0], view: '0' }], { '0': STORAGES['0'] }), /is a view of another storage/],
  ];
  for (const [name, file, message] of hostile) {
    it(`refuses: ${name}`, async () => {
      const h = guarded(file);
      const err = await TorchCheckpoint.open(h).catch((e: unknown) => e);
      expect(isMaskgenError(err, 'INVALID_CHECKPOINT'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
      expect(h.maxEnd).toBeLessThanOrEqual(file.byteLength);
    });
  }

  it('names every format tried for a file that is none of them', async () => {
    const err = await openStateDict(memoryFile(new TextEncoder().encode('GIF89a, not weights at all'), 'x.bin')).catch((e: unknown) => e);
    expect(isMaskgenError(err, 'INVALID_CHECKPOINT')).toBe(true);
    expect((err as Error).message).toMatch(/"x.bin".*first bytes: 47 49 46.*tried safetensors, torch.save zip .* and torch.save legacy/);
  });

  it('fuzz: byte flips and cuts of a legacy file only ever give MaskgenErrors or valid reads', async () => {
    let seed = 4242;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 400; i++) {
      const file = bytes.slice(0, rand() < 0.2 ? Math.floor(rand() * bytes.byteLength) : bytes.byteLength);
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) file[Math.floor(rand() * file.byteLength)] = Math.floor(rand() * 256);
      try {
        const st = await openStateDict(memoryFile(file));
        for (const name of st.tensors.keys()) await st.read(name);
      } catch (e) {
        if (!isMaskgenError(e)) throw new Error(`mutation ${i} raised a non-library error: ${String(e)}`);
      }
    }
  });
});
