import { type Tensor, tensor } from '@maskgen/core';

/** The text tower's outputs for a batch of prompts. */
export interface ClipTextEncoding {
  /** int64 [B, L]: the token ids that were encoded. */
  readonly ids: Tensor<'int64'>;
  /** float32 [B, L, W]: hidden states before the last block, no ln_final (MaskGen's condition). */
  readonly penultimate: Tensor<'float32'>;
  /** float32 [B, L, W]: ln_final after all blocks (TA-TiTok's text guidance). */
  readonly final: Tensor<'float32'>;
  /** float32 [B, 1, E]: ln_final at the first EOT, projected (MaskGen's pooled condition). */
  readonly pooled: Tensor<'float32'>;
}

/** True if row `r` of an [N, L] id tensor equals `ids` (used to find prompts that encode as ""). */
export function rowEquals(batch: Tensor<'int64'>, r: number, ids: Tensor<'int64'>): boolean {
  const L = ids.dims[1];
  for (let j = 0; j < L; j++) if (batch.data[r * L + j] !== ids.data[j]) return false;
  return true;
}

/** Rows `rows` of an id tensor, as a new [rows.length, L] tensor. */
export function pickIdRows(batch: Tensor<'int64'>, rows: readonly number[]): Tensor<'int64'> {
  const L = batch.dims[1];
  const out = new BigInt64Array(rows.length * L);
  rows.forEach((r, i) => out.set(batch.data.subarray(r * L, (r + 1) * L), i * L));
  return tensor('int64', [rows.length, L], out);
}

type RowData = Float32Array | BigInt64Array;

function copyRows<T extends RowData>(make: (n: number) => T, sources: readonly T[], from: readonly { src: number; row: number }[], rowSize: number): T {
  const out = make(from.length * rowSize);
  from.forEach(({ src, row }, i) => (out as RowData).set(sources[src].subarray(row * rowSize, (row + 1) * rowSize) as never, i * rowSize));
  return out;
}

/**
 * Assembles a batch from per-row sources: row i comes from row `from[i].row` of encoding
 * `from[i].src`. This is how cached empty-prompt rows are spliced in beside freshly run rows.
 */
export function assembleRows(sources: readonly ClipTextEncoding[], from: readonly { src: number; row: number }[]): ClipTextEncoding {
  const B = from.length;
  const dims = (t: Tensor) => [B, ...t.dims.slice(1)];
  const size = (t: Tensor) => t.dims.slice(1).reduce((a, b) => a * b, 1);
  const floats = (key: 'penultimate' | 'final' | 'pooled') => {
    const first = sources[0][key];
    const data = copyRows(
      (n) => new Float32Array(n),
      sources.map((s) => s[key].data),
      from,
      size(first),
    );
    return tensor('float32', dims(first), data);
  };
  const ids = copyRows(
    (n) => new BigInt64Array(n),
    sources.map((s) => s.ids.data),
    from,
    size(sources[0].ids),
  );
  return { ids: tensor('int64', dims(sources[0].ids), ids), penultimate: floats('penultimate'), final: floats('final'), pooled: floats('pooled') };
}
