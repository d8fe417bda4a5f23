import { SafetensorsFile, type Runtime, tensor } from '@maskgen/core';
import { folderSource, nodeFile } from '@maskgen/hub/node';
import { nodeRuntime } from '@maskgen/runtime-node';
import { webRuntime } from '@maskgen/runtime-web';
import { expectMaskgenError } from '@maskgen/test-utils';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ModelRef, createImageTokenizer } from '../src/index.js';
import { GOLDEN, useGoldenHub } from './hub-fixture.js';

const { source: hub } = useGoldenHub();
const dir = mkdtempSync(join(tmpdir(), 'maskgen-nan-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A decoder weight of the golden tokenizer, and the element (row 5, column 7) the copies break. */
const TENSOR = 'decoder.transformer.0.mlp.c_fc.weight';
const ELEMENT = 5 * 48 + 7;

/** Where TENSOR's bytes sit in a golden file: found by content, so any container (safetensors, zip, legacy) works. */
async function tensorOffset(bytes: Uint8Array): Promise<number> {
  const st = await SafetensorsFile.open(await nodeFile(join(GOLDEN, 'tatitok_vq/weights.safetensors')));
  const t = await st.read(TENSOR);
  const needle = Buffer.from(t.data.buffer, t.data.byteOffset, 256);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle);
  expect(at).toBeGreaterThan(0);
  return at;
}

/** Copies a golden file to `to` with one float32 of TENSOR replaced by `value`. */
async function corruptCopy(from: string, to: string, value: number): Promise<void> {
  const bytes = new Uint8Array(readFileSync(from));
  new DataView(bytes.buffer).setFloat32((await tensorOffset(bytes)) + ELEMENT * 4, value, true);
  writeFileSync(to, bytes);
}

/** The golden tokenizer as a repo folder (config.json + model.safetensors) with one weight set to `value`. */
async function repoWith(value: number, name: string): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  copyFileSync(join(GOLDEN, 'tatitok_vq/config.json'), join(folder, 'config.json'));
  await corruptCopy(join(GOLDEN, 'tatitok_vq/weights.safetensors'), join(folder, 'model.safetensors'), value);
  return folder;
}

async function binWith(value: number, file: string): Promise<ModelRef> {
  const folder = join(dir, `bin-${file}`);
  mkdirSync(folder, { recursive: true });
  await corruptCopy(join(GOLDEN, 'checkpoint_formats', file), join(folder, file), value);
  copyFileSync(join(GOLDEN, 'checkpoint_formats/tatitok_vq.yaml'), join(folder, file.replace(/\.bin$/, '.yaml')));
  return { file, source: folderSource(folder) };
}

/** Decodes a row of zero ids with the tokenizer `ref` (CLIP from the golden hub). */
async function decodeWith(
  ref: ModelRef,
  runtime: Runtime,
  local: Record<string, string>,
  extra: { allowNonFinite?: boolean; onWarning?: (m: string) => void } = {},
) {
  const source = (id: string, at?: { revision?: string }) => (local[id] ? folderSource(local[id]) : hub(id, at));
  // The tiny golden ViT sizes are no reference size name: its head counts are given (as its YAML does).
  const tok = await createImageTokenizer(ref, { runtime, source, tokenizerOptions: { encoderHeads: 4, decoderHeads: 4 }, ...extra });
  try {
    return await tok.decode(tensor('int64', [1, 16]), ['']);
  } finally {
    await tok.dispose();
  }
}

const WHERE = new RegExp(`tensor "${TENSOR.replace(/\./g, '\\.')}" \\(F32 \\[192,48\\]\\) holds (NaN|-?Infinity) at element ${ELEMENT} \\(index \\[5, 7\\]\\)`);

describe('golden checkpoints with a NaN/Inf weight are refused when loaded, naming file, tensor and element', () => {
  const runtimes: [string, () => Runtime][] = [
    ['runtime-node (weights mapped in place, scanned while ORT loads)', () => nodeRuntime({ threads: 1 })],
    ['runtime-web (weights packed, checked as they are copied)', () => webRuntime({ threads: 1 })],
  ];
  for (const [label, make] of runtimes) {
    it(`model.safetensors with NaN: ${label}`, async () => {
      const folder = await repoWith(Number.NaN, `nan-${label.slice(8, 12)}`);
      const e = await expectMaskgenError(decodeWith('local/broken', make(), { 'local/broken': folder }), 'NON_FINITE', WHERE);
      expect(e.message).toMatch(/model\.safetensors"/);
      expect(e.message).toMatch(/allowNonFinite \(CLI: --allow-nonfinite\)/);
    }, 60_000);
  }

  for (const file of ['tatitok_vq.bin', 'tatitok_vq_legacy.bin']) {
    it(`${file} (torch.save ${file.includes('legacy') ? 'legacy' : 'zip'} container) with +Inf`, async () => {
      const e = await expectMaskgenError(decodeWith(await binWith(Number.POSITIVE_INFINITY, file), nodeRuntime({ threads: 1 }), {}), 'NON_FINITE', WHERE);
      expect(e.message, e.message).toContain(`${file}"`);
    }, 60_000);
  }

  it('allowNonFinite loads the broken checkpoint and warns, naming the weight', async () => {
    const folder = await repoWith(Number.NEGATIVE_INFINITY, 'allowed');
    const warnings: string[] = [];
    const images = await decodeWith(
      'local/allowed',
      nodeRuntime({ threads: 1 }),
      { 'local/allowed': folder },
      { allowNonFinite: true, onWarning: (m) => warnings.push(m) },
    );
    expect(images).toHaveLength(1);
    expect(warnings.some((w) => WHERE.test(w) && /continuing because non-finite values are allowed/.test(w))).toBe(true);
  }, 60_000);

  it('the untouched golden copies load and decode (the rule refuses only non-finite values)', async () => {
    const folder = await repoWith(0.5, 'finite');
    expect(await decodeWith('local/finite', nodeRuntime({ threads: 1 }), { 'local/finite': folder })).toHaveLength(1);
  }, 60_000);
});
