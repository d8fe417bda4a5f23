import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FileHandle, SafetensorsFile, type Tensor, encodeSafetensors, float32ToFloat16, memoryFile, memorySource, tensor } from '@maskgen/core';
import { nodeRuntime } from '@maskgen/runtime-node';
import { describe, expect, it } from 'vitest';
import { ClipTextEncoder, loadClipText } from '../src/index.js';
import { TEXT_DIR, goldenTokenizer, hfTokenizerFiles, readIo } from './golden-paths.js';

const runtime = nodeRuntime({ threads: 1 });
const text = (s: string) => memoryFile(new TextEncoder().encode(s));

async function goldenTensors(file: string): Promise<Record<string, Tensor>> {
  const st = await SafetensorsFile.open(memoryFile(new Uint8Array(readFileSync(join(TEXT_DIR, file)))));
  const out: Record<string, Tensor> = {};
  for (const name of st.tensors.keys()) out[name] = await st.read(name);
  return out;
}

/** A FileHandle that records every byte range read from it. */
function recording(bytes: Uint8Array): { handle: FileHandle; reads: [number, number][] } {
  const inner = memoryFile(bytes, 'model.safetensors');
  const reads: [number, number][] = [];
  return { reads, handle: { name: inner.name, size: inner.size, read: (o, l, opts) => (reads.push([o, o + l]), inner.read(o, l, opts)) } };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('ClipTextEncoder', () => {
  const caseJson = JSON.parse(readFileSync(join(TEXT_DIR, 'case.json'), 'utf8'));
  const configText = readFileSync(join(TEXT_DIR, 'config.json'), 'utf8');

  it('loads from a repo with a vision tower, reading only the text tensors, and defaults to GELU', async () => {
    const tensors = await goldenTensors('weights_hf.safetensors');
    const vision = {
      'vision_model.embeddings.patch_embedding.weight': tensor('float32', [256, 1024]),
      'vision_model.post_layernorm.weight': tensor('float32', [4096]),
    };
    const file = recording(encodeSafetensors({ ...vision, ...tensors }));
    const { vocabJson, mergesText } = hfTokenizerFiles();
    const source = memorySource('openai/clip-tiny', {
      'config.json': text(configText),
      'model.safetensors': file.handle,
      'vocab.json': text(vocabJson),
      'merges.txt': text(mergesText),
    });
    const enc = await loadClipText(source, { runtime });
    try {
      const st = await SafetensorsFile.open(file.handle);
      for (const name of Object.keys(vision)) {
        const { offset, byteLength } = st.info(name);
        expect(
          file.reads.some(([a, b]) => a < offset + byteLength && b > offset),
          name,
        ).toBe(false);
      }
      expect(enc.spec).toMatchObject({ layout: 'hf', width: 64, heads: 4, layers: 3, activation: 'gelu', contextLength: 77 });
      const out = await enc.encode(caseJson.prompts);
      const expected = await readIo(TEXT_DIR, 'pooled_embed_gelu');
      expect(maxDiff(out.pooled.data, expected.values)).toBeLessThan(caseJson.io.pooled_embed_gelu.tolerance.atol);
    } finally {
      await enc.dispose();
    }
  });

  it('reuses the cached empty-prompt encoding and splices it into batches', async () => {
    const weights = await SafetensorsFile.open(memoryFile(new Uint8Array(readFileSync(join(TEXT_DIR, 'weights.safetensors')))));
    const enc = await ClipTextEncoder.create({ runtime, weights, config: JSON.parse(configText), tokenizer: await goldenTokenizer() });
    try {
      expect(enc.encodeEmpty()).toBe(enc.encodeEmpty());
      const mixed = await enc.encode(['', 'a photo of a cat', '   ']);
      const direct = await enc.encodeIds(mixed.ids);
      expect(mixed.penultimate.dims).toEqual([3, 77, 64]);
      expect(mixed.pooled.dims).toEqual([3, 1, 64]);
      for (const key of ['penultimate', 'final', 'pooled'] as const) expect(maxDiff(mixed[key].data, direct[key].data), key).toBeLessThan(1e-5);
      const empty = await enc.encodeEmpty();
      const row = 77 * 64;
      expect(Array.from(mixed.final.data.subarray(2 * row, 3 * row))).toEqual(Array.from(empty.final.data));
    } finally {
      await enc.dispose();
    }
  });

  it('runs mixed float16/float32 checkpoints (cast in the graph) and validates its inputs', async () => {
    const f32 = await goldenTensors('weights.safetensors');
    const f16: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(f32)) {
      // The 3M-entry token embedding stays float32 (a mixed file), which also keeps the test fast.
      f16[k] = k === 'token_embedding.weight' ? t : tensor('float16', t.dims, Uint16Array.from(t.data as Float32Array, float32ToFloat16));
    }
    const weights = await SafetensorsFile.open(memoryFile(encodeSafetensors(f16)));
    const enc = await ClipTextEncoder.create({ runtime, weights, heads: 4, activation: 'quick-gelu' });
    try {
      const ids = await readIo(TEXT_DIR, 'ids');
      const out = await enc.encodeIds(tensor('int64', ids.dims, ids.values));
      expect(maxDiff(out.final.data, (await readIo(TEXT_DIR, 'text_guidance')).values)).toBeLessThan(2e-2);
      await expect(enc.encode('a cat')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(enc.encodeIds(tensor('int64', [1, 77], new Array(77).fill(49408)))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(enc.encodeIds(tensor('int64', [1, 5]))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      const ac = new AbortController();
      ac.abort();
      await expect(enc.encodeIds(tensor('int64', [1, 77]), { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    } finally {
      await enc.dispose();
    }
  });

  it('reads shapes from the weights and refuses configs or options that disagree', async () => {
    const weights = await SafetensorsFile.open(memoryFile(new Uint8Array(readFileSync(join(TEXT_DIR, 'weights.safetensors')))));
    const config = JSON.parse(configText);
    const create = (extra: object) => ClipTextEncoder.create({ runtime, weights, ...extra });
    await expect(create({})).rejects.toMatchObject({ code: 'INVALID_CONFIG' }); // open_clip layout, no config, not ViT-L-14
    await expect(create({ heads: 5 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(create({ config: { text_config: { ...config.text_config, num_hidden_layers: 12 } } })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(create({ config, activation: 'relu' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const viaOpenClipConfig = await create({ config: { model_cfg: { text_cfg: { width: 64, heads: 4, layers: 3 } } } });
    expect(viaOpenClipConfig.spec).toMatchObject({ layout: 'open_clip', heads: 4, embedDim: 64, mlp: 256 });
    await viaOpenClipConfig.dispose();
  });
});
