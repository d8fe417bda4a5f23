import { describe, expect, it } from 'vitest';
import { SafetensorsFile, encodeSafetensors, memoryFile, openStateDict, tensor } from '../src/index.js';
import { checkpointAsSafetensors } from '../src/pickle/safetensors-view.js';
import { TorchCheckpoint } from '../src/pickle/torch-checkpoint.js';
import { PickleWriter, f32bytes, stateDictPickle, writeStateDict, zipFile } from './pickle-fixtures.js';

/** A state dict with a plain tensor, a Parameter, a tensor at an offset of a shared storage, a transposed view, and int64/f16/bf16. */
function checkpoint(opts: { deflate?: boolean } = {}): Uint8Array {
  const pkl = stateDictPickle([
    { name: 'proj.weight', storage: 'storage', key: '0', numel: 6, size: [2, 3] },
    { name: 'proj.bias', storage: 'storage', key: '1', numel: 2, size: [2], parameter: true },
    { name: 'tied.tail', storage: 'storage', key: '0', numel: 6, offset: 3, size: [3] },
    { name: 'proj.weight_t', storage: 'storage', key: '0', numel: 6, size: [3, 2], stride: [1, 3] },
    { name: 'ids', storage: 'storage', storageType: 'LongStorage', key: '2', numel: 2, size: [2] },
    { name: 'half', storage: 'storage', storageType: 'HalfStorage', key: '3', numel: 1, size: [1] },
    { name: 'bf', storage: 'storage', storageType: 'BFloat16Storage', key: '4', numel: 1, size: [1] },
  ]);
  return zipFile(
    {
      'archive/data.pkl': pkl,
      'archive/byteorder': new TextEncoder().encode('little'),
      'archive/data/0': f32bytes([1, 2, 3, 4, 5, 6]),
      'archive/data/1': f32bytes([0.5, -0.5]),
      'archive/data/2': new Uint8Array(BigInt64Array.from([7n, -1n]).buffer),
      'archive/data/3': Uint8Array.from([0x00, 0x3c]),
      'archive/data/4': Uint8Array.from([0x80, 0x3f]),
      'archive/version': new TextEncoder().encode('3\n'),
    },
    { deflate: opts.deflate ? ['archive/data.pkl', 'archive/data/0'] : [] },
  );
}

describe('PyTorch checkpoints (zip + pickle) without Python', () => {
  it('lists tensors with dtypes and shapes and reads them like SafetensorsFile', async () => {
    const ckpt = await TorchCheckpoint.open(memoryFile(checkpoint(), 'pytorch_model.bin'));
    expect([...ckpt.tensors.keys()]).toEqual(['proj.weight', 'proj.bias', 'tied.tail', 'proj.weight_t', 'ids', 'half', 'bf']);
    expect(ckpt.info('proj.weight')).toMatchObject({ stDtype: 'F32', dims: [2, 3], byteLength: 24 });
    expect(Array.from(await ckpt.readFloat32('proj.weight'))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(await ckpt.readFloat32('proj.bias'))).toEqual([0.5, -0.5]);
    expect(Array.from(await ckpt.readFloat32('tied.tail'))).toEqual([4, 5, 6]);
    expect(Array.from(await ckpt.readFloat32('proj.weight_t'))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from((await ckpt.read('ids')).data as BigInt64Array)).toEqual([7n, -1n]);
    expect(Array.from(await ckpt.readFloat32('half'))).toEqual([1]);
    expect(Array.from(await ckpt.readFloat32('bf'))).toEqual([1]);
    await expect(ckpt.read('nope')).rejects.toMatchObject({ code: 'MISSING_WEIGHT' });
  });

  it('reads deflated members through DecompressionStream', async () => {
    const ckpt = await TorchCheckpoint.open(memoryFile(checkpoint({ deflate: true })));
    expect(Array.from(await ckpt.readFloat32('proj.weight_t'))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('presents the checkpoint as a safetensors file that SafetensorsFile opens and that can be written out', async () => {
    const ckpt = await TorchCheckpoint.open(memoryFile(checkpoint()));
    const view = checkpointAsSafetensors(ckpt);
    const st = await SafetensorsFile.open(view);
    expect(st.info('proj.weight_t').dims).toEqual([3, 2]);
    expect(Array.from(await st.readFloat32('proj.weight_t'))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(await st.readFloat32('tied.tail'))).toEqual([4, 5, 6]);
    const written = await view.read(0, view.size);
    const reopened = await SafetensorsFile.open(memoryFile(written));
    expect(Array.from(await reopened.readFloat32('proj.bias'))).toEqual([0.5, -0.5]);
    const partial = await view.read(st.info('proj.weight').offset + 4, 8);
    expect(Array.from(new Float32Array(partial.slice().buffer))).toEqual([2, 3]);
  });

  it('openStateDict takes either format', async () => {
    const fromBin = await openStateDict(memoryFile(checkpoint()));
    expect(Array.from(await fromBin.readFloat32('proj.bias'))).toEqual([0.5, -0.5]);
    const st = encodeSafetensors({ w: tensor('float32', [1], Float32Array.from([3])) });
    expect(Array.from(await (await openStateDict(memoryFile(st))).readFloat32('w'))).toEqual([3]);
  });

  it('reads nested checkpoints ({"state_dict": {...}}) under dotted names', async () => {
    const w = new PickleWriter().proto(2).raw(0x7d).put().str('state_dict');
    const outer = writeStateDict(w, [{ name: 'w', storage: 'storage', key: '0', numel: 1, size: [1] }])
      .raw(0x73)
      .stop();
    const zip = zipFile({ 'm/data.pkl': outer, 'm/data/0': f32bytes([9]) });
    const ckpt = await TorchCheckpoint.open(memoryFile(zip));
    expect([...ckpt.tensors.keys()]).toEqual(['state_dict.w']);
  });
});
