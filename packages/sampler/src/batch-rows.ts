import { MaskgenError, type Tensor, quote, tensor } from '@maskgen/core';

/** Concatenates tensors along the batch axis (CFG runs cond and uncond as one batch). */
export function concatBatch<T extends Tensor<'float32'> | Tensor<'int64'>>(parts: readonly T[]): T {
  const rest = parts[0].dims.slice(1);
  const total = parts.reduce((s, p) => s + p.dims[0], 0);
  const Ctor = parts[0].dtype === 'int64' ? BigInt64Array : Float32Array;
  const out = new Ctor(parts.reduce((s, p) => s + p.data.length, 0)) as T['data'];
  let o = 0;
  for (const p of parts) {
    (out as Float32Array).set(p.data as Float32Array, o);
    o += p.data.length;
  }
  return tensor(parts[0].dtype, [total, ...rest], out as never) as T;
}

/**
 * The empty-prompt encoding as B rows, shared by both samplers: the reference repeats its single row
 * over the batch; a [B, …] tensor is taken as is, anything else is rejected naming `name`.
 */
export function uncondRows(t: Tensor<'float32'>, like: Tensor<'float32'>, name: string): Tensor<'float32'> {
  const B = like.dims[0];
  if (t.dims.length !== like.dims.length || t.dims.slice(1).join() !== like.dims.slice(1).join() || (t.dims[0] !== 1 && t.dims[0] !== B)) {
    throw new MaskgenError(
      'INVALID_ARGUMENT',
      `${name}: expected [1 or ${B}, ${like.dims.slice(1).join(', ')}] like the prompts' encoding, got ${quote(t.dims)}`,
    );
  }
  return t.dims[0] === B ? t : concatBatch(Array.from({ length: B }, () => t));
}
