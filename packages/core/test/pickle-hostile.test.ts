import { describe, expect, it } from 'vitest';
import { isMaskgenError, memoryFile } from '../src/index.js';
import { TorchCheckpoint } from '../src/pickle/torch-checkpoint.js';
import { unpickle } from '../src/pickle/unpickler.js';
import { PickleWriter, f32bytes, stateDictPickle, zipFile } from './pickle-fixtures.js';

const open = (members: Record<string, Uint8Array>) => TorchCheckpoint.open(memoryFile(zipFile(members), 'hostile.bin'));

describe('hostile PyTorch checkpoints are refused, never executed', () => {
  it('refuses GLOBAL os.system (and friends) before anything is called', () => {
    const calls = (globalThis as { __pwned?: number }).__pwned;
    for (const [mod, name] of [
      ['os', 'system'],
      ['posix', 'system'],
      ['builtins', 'eval'],
      ['__builtin__', 'getattr'],
      ['subprocess', 'Popen'],
      ['torch', 'load'],
      ['torch._utils', '_rebuild_device_tensor_from_numpy'],
      ['numpy.core.multiarray', '_reconstruct'],
    ]) {
      const pkl = new PickleWriter().proto(2).global(mod, name).mark().str('touch /tmp/pwned').tuple().reduce().stop();
      expect(() => unpickle(pkl), `${mod}.${name}`).toThrow(
        expect.objectContaining({ code: 'UNSAFE_PICKLE', message: expect.stringContaining(`${mod}.${name}`) }),
      );
    }
    expect((globalThis as { __pwned?: number }).__pwned).toBe(calls);
  });

  it('refuses STACK_GLOBAL of a disallowed name (protocol 4 form)', () => {
    const pkl = new PickleWriter().proto(4).str('builtins').str('exec').raw(0x93).stop();
    expect(() => unpickle(pkl)).toThrow(expect.objectContaining({ code: 'UNSAFE_PICKLE' }));
  });

  it('refuses calling an allowed marker, and object-building opcodes (INST, OBJ, NEWOBJ, BUILD on non-dicts)', () => {
    const callStorage = new PickleWriter().proto(2).global('torch', 'FloatStorage').emptyTuple().reduce().stop();
    expect(() => unpickle(callStorage)).toThrow(expect.objectContaining({ code: 'UNSAFE_PICKLE' }));
    const inst = new PickleWriter()
      .proto(2)
      .mark()
      .raw(0x69, ...new TextEncoder().encode('os\nsystem\n'))
      .stop();
    expect(() => unpickle(inst)).toThrow(expect.objectContaining({ code: 'UNSAFE_PICKLE', message: expect.stringContaining('INST') }));
    const newobj = new PickleWriter().proto(2).global('torch', 'Tensor').emptyTuple().raw(0x81).stop();
    expect(() => unpickle(newobj)).toThrow(expect.objectContaining({ code: 'UNSAFE_PICKLE', message: expect.stringContaining('NEWOBJ') }));
    const obj = new PickleWriter().proto(2).mark().global('torch', 'Tensor').raw(0x6f).stop();
    expect(() => unpickle(obj)).toThrow(expect.objectContaining({ code: 'UNSAFE_PICKLE' }));
    const build = new PickleWriter().proto(2).emptyTuple().raw(0x7d).raw(0x62).stop();
    expect(() => unpickle(build)).toThrow(expect.objectContaining({ code: 'UNSAFE_PICKLE' }));
  });

  it('rejects storage keys that try to leave data/, tensors past their storage, and missing storages', async () => {
    const pkl = (key: string, numel: number, size: number[]) => stateDictPickle([{ name: 'w', storage: 'storage', key, numel, size }]);
    await expect(open({ 'a/data.pkl': pkl('../../etc', 1, [1]), 'a/data/0': f32bytes([1]) })).rejects.toMatchObject({
      code: 'INVALID_CHECKPOINT',
      message: expect.stringContaining('storage key'),
    });
    await expect(open({ 'a/data.pkl': pkl('0', 4, [4]), 'a/data/0': f32bytes([1]) })).rejects.toMatchObject({
      code: 'INVALID_CHECKPOINT',
      message: expect.stringContaining('reaches byte'),
    });
    await expect(open({ 'a/data.pkl': pkl('7', 1, [1]), 'a/data/0': f32bytes([1]) })).rejects.toMatchObject({
      code: 'INVALID_CHECKPOINT',
      message: expect.stringContaining('no "data/7"'),
    });
  });

  it('rejects non-zips, truncated pickles, CRC mismatches and deflate bombs with INVALID_CHECKPOINT', async () => {
    await expect(TorchCheckpoint.open(memoryFile(new Uint8Array(100)))).rejects.toMatchObject({ code: 'INVALID_CHECKPOINT' });
    const good = stateDictPickle([{ name: 'w', storage: 'storage', key: '0', numel: 1, size: [1] }]);
    await expect(open({ 'a/data.pkl': good.subarray(0, 30), 'a/data/0': f32bytes([1]) })).rejects.toMatchObject({
      code: 'INVALID_CHECKPOINT',
      message: expect.stringContaining('truncated'),
    });
    const zip = zipFile({ 'a/data.pkl': good, 'a/data/0': f32bytes([1]) });
    const flipped = zip.slice();
    flipped[100] ^= 1; // inside data.pkl (after the 64-byte-aligned local header)
    await expect(TorchCheckpoint.open(memoryFile(flipped))).rejects.toSatisfy((e: unknown) => isMaskgenError(e));
    const bomb = zipFile({ 'a/data.pkl': good, 'a/data/0': new Uint8Array(1 << 20) }, { deflate: ['a/data/0'] });
    const v = new DataView(bomb.buffer);
    // Shrink the declared plain size of data/0 in the central directory to 4 bytes.
    const cd = bomb.byteLength - 22 - v.getUint32(bomb.byteLength - 10, true);
    const second = cd + 46 + 'a/data.pkl'.length;
    v.setUint32(second + 24, 4, true);
    const ckpt = await TorchCheckpoint.open(memoryFile(bomb));
    await expect(ckpt.read('w')).rejects.toMatchObject({ code: 'INVALID_CHECKPOINT', message: expect.stringContaining('inflates') });
  });

  it('fuzz: random byte flips only ever produce MaskgenErrors or valid reads', async () => {
    const base = zipFile({
      'a/data.pkl': stateDictPickle([
        { name: 'w', storage: 'storage', key: '0', numel: 4, size: [2, 2] },
        { name: 'b', storage: 'storage', key: '1', numel: 2, size: [2], parameter: true },
      ]),
      'a/data/0': f32bytes([1, 2, 3, 4]),
      'a/data/1': f32bytes([5, 6]),
    });
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 400; i++) {
      const bytes = base.slice();
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) bytes[Math.floor(rand() * bytes.byteLength)] = Math.floor(rand() * 256);
      try {
        const ckpt = await TorchCheckpoint.open(memoryFile(bytes));
        for (const name of ckpt.tensors.keys()) await ckpt.read(name);
      } catch (e) {
        if (!isMaskgenError(e)) throw new Error(`mutation ${i} raised a non-library error: ${String(e)}`);
      }
    }
  });

  it('fuzz: mutated pickles only ever raise MaskgenErrors from the unpickler', () => {
    const base = stateDictPickle([
      { name: 'w', storage: 'storage', key: '0', numel: 4, size: [2, 2] },
      { name: 'b', storage: 'storage', key: '1', numel: 2, size: [2], parameter: true },
    ]);
    let seed = 777;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const codes = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const bytes = base.slice(0, rand() < 0.2 ? Math.floor(rand() * base.byteLength) : base.byteLength);
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) bytes[Math.floor(rand() * bytes.byteLength)] = Math.floor(rand() * 256);
      try {
        unpickle(bytes);
      } catch (e) {
        if (!isMaskgenError(e)) throw new Error(`mutation ${i} raised a non-library error: ${String(e)}`);
        codes.add(e.code);
      }
    }
    expect([...codes].sort()).toEqual(expect.arrayContaining(['INVALID_CHECKPOINT', 'UNSAFE_PICKLE']));
  });
});
