import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsFile, toFloat32, toNumbers } from '@maskgen/core';
import { nodeFile } from '@maskgen/runtime-node';
import type { EncodedDraw } from '../src/automation.js';
import { GOLDEN_DIR } from './golden-repos.js';
import { type DecodedPng, decodePng } from './png.js';

interface CaseDraw {
  kind: string;
  shape: number[];
  tensor: string;
}

/** What the browser needs to replay the golden e2e_vq run, and what it must reproduce. */
export interface GoldenE2e {
  prompts: string[];
  steps: number;
  guidance: number;
  draws: EncodedDraw[];
  /** generate.ids, row-major [B, L]. */
  ids: number[];
  images: DecodedPng[];
  /** The uint8 image tolerance case.json states (max abs diff per channel). */
  imageTolerance: number;
}

/**
 * Reads e2e_vq: its prompts and settings, every recorded draw (as raw bytes for page.evaluate),
 * the generated ids and the final PNGs.
 */
export async function loadGoldenE2e(name = 'e2e_vq'): Promise<GoldenE2e> {
  const dir = join(GOLDEN_DIR, name);
  const kase = JSON.parse(await readFile(join(dir, 'case.json'), 'utf8'));
  const gen = kase.calls.find((c: { name: string }) => c.name === 'generate');
  const io = await SafetensorsFile.open(await nodeFile(join(dir, 'io.safetensors')));
  const draws: EncodedDraw[] = [];
  for (const d of gen.draws as CaseDraw[]) {
    const t = await io.read(d.tensor);
    const isInt = t.dtype === 'int64' || t.dtype === 'int32';
    const data = isInt ? Int32Array.from(toNumbers(t)) : toFloat32(t);
    draws.push({
      kind: d.kind,
      shape: d.shape,
      dtype: isInt ? 'int32' : 'float32',
      base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    });
  }
  const ids = toNumbers(await io.read('generate.ids'));
  const files = Object.keys(kase.files)
    .filter((f) => /^image_\d+\.png$/.test(f))
    .sort();
  const images = await Promise.all(files.map(async (f) => decodePng(await readFile(join(dir, f)))));
  const tol = kase.io.image_uint8?.tolerance?.max_abs_diff;
  if (typeof tol !== 'number') throw new Error(`${name}/case.json: io.image_uint8.tolerance.max_abs_diff missing`);
  return {
    prompts: gen.captions,
    steps: gen.kwargs.num_sample_steps,
    guidance: gen.kwargs.guidance_scale,
    draws,
    ids,
    images,
    imageTolerance: tol,
  };
}

/** Largest per-byte difference of two equally long byte arrays (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
