import { type FileHandle, SafetensorsFile, encodeSafetensors, memoryFile, tensor } from '@maskgen/core';
import { testData } from './reference-math.js';

/** Makes a FileHandle from bytes; runtimes pass one that writes a real file where they map files. */
export type FileFactory = (bytes: Uint8Array, name: string) => Promise<FileHandle>;

/** Memory-backed files, the default for runtimes that cannot map local files. */
export const memoryFiles: FileFactory = async (bytes, name) => memoryFile(bytes, name);

/** A small safetensors checkpoint with named float tensors filled with deterministic test data. */
export async function weightsFixture(files: FileFactory, shapes: Record<string, number[]>, name = 'fixture.safetensors', firstSeed = 7) {
  const data: Record<string, Float32Array> = {};
  const tensors: Record<string, ReturnType<typeof tensor<'float32'>>> = {};
  let seed = firstSeed;
  for (const [k, dims] of Object.entries(shapes)) {
    data[k] = testData(
      dims.reduce((a, b) => a * b, 1),
      seed++,
    );
    tensors[k] = tensor('float32', dims, data[k]);
  }
  const st = await SafetensorsFile.open(await files(encodeSafetensors(tensors), name));
  return { st, data };
}
