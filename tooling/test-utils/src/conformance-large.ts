import { isMaskgenError, tensor } from '@maskgen/core';
import { closeSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Runtime } from '@maskgen/core';
import { type FileFactory } from './weights-fixture.js';
import { HUGE_FILE_SIZE, bigGatherGraph, untouchableFile } from './conformance-session.js';

/** How a runtime must treat a weight set larger than 2 GB: load it, or refuse early with RUNTIME_LIMIT. */
export type LargeWeights = { mode: 'load'; open: (path: string) => ReturnType<FileFactory> } | { mode: 'reject' };

/**
 * Writes a >2 GB safetensors file with a hole (costs no disk): one F32 tensor of 2.4 GB whose last
 * elements hold known values, so a Gather proves the runtime really read the far end of the file.
 */
function writeSparseCheckpoint(path: string): { total: number; n: number } {
  const n = 600_000_000;
  const raw = new TextEncoder().encode(JSON.stringify({ big: { dtype: 'F32', shape: [n], data_offsets: [0, n * 4] } }));
  const header = new Uint8Array(Math.ceil(raw.length / 8) * 8).fill(0x20);
  header.set(raw);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(header.length), true);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, len, 0, 8, 0);
    writeSync(fd, header, 0, header.length, 8);
    const tail = new Float32Array([1.25, -7.5]);
    const total = 8 + header.length + n * 4;
    ftruncateSync(fd, total);
    writeSync(fd, new Uint8Array(tail.buffer), 0, 8, total - 8);
    return { total, n };
  } finally {
    closeSync(fd);
  }
}

/** The >2 GB external-data case of the conformance suite. */
export function largeWeightConformance(make: () => Runtime, large: LargeWeights): void {
  describe('weights larger than 2 GB', () => {
    if (large.mode === 'load') {
      it('loads a 2.4 GB sparse weight file as external data and reads its far end', async () => {
        const path = join(tmpdir(), `maskgen-sparse-${process.pid}-${Date.now()}.safetensors`);
        try {
          const { n } = writeSparseCheckpoint(path);
          const g = await bigGatherGraph(await large.open(path));
          const s = await make().createSession(g.build());
          const { y } = await s.run({ idx: tensor('int64', [2], [n - 2, n - 1]) });
          await s.dispose();
          expect(Array.from(y.data as Float32Array)).toEqual([1.25, -7.5]);
        } finally {
          rmSync(path, { force: true });
        }
      }, 120_000);
    } else {
      it('refuses a 2.8 GB weight set early with RUNTIME_LIMIT naming the limit and the ways out', async () => {
        const file = untouchableFile(HUGE_FILE_SIZE);
        const g = await bigGatherGraph(file);
        const readsBefore = file.reads;
        const err = await make()
          .createSession(g.build())
          .catch((e: unknown) => e);
        expect(isMaskgenError(err, 'RUNTIME_LIMIT')).toBe(true);
        expect(String((err as Error).message)).toMatch(/precision: 'int8'.*runtime-node/);
        expect(file.reads).toBe(readsBefore);
      });
    }
  });
}
