import { SeededRng, type Tensor, tensor } from '@maskgen/core';

/**
 * Standard-normal float32 inputs from a fresh seeded stream: each setup makes its own, so building a
 * component twice (int8, then float32 for the comparison) feeds both the same inputs.
 */
export function inputs(seed = 1): (dims: number[]) => Tensor<'float32'> {
  const rng = new SeededRng(seed);
  return (dims) => tensor('float32', dims, rng.normal(dims));
}

/** Token ids of B prompts of 77 (SOT, 19 word ids, EOT, padding) for the text tower. */
export function promptIds(batch: number): Tensor<'int64'> {
  return tensor(
    'int64',
    [batch, 77],
    Array.from({ length: batch * 77 }, (_, i) => (i % 77 === 0 ? 49406 : i % 77 === 20 ? 49407 : i % 77 > 20 ? 0 : 320 + i)),
  );
}

/** Row `b` of a batch tensor as a batch of one. */
export function row<T extends Tensor<'float32'>>(t: T, b: number): Tensor<'float32'> {
  const n = t.data.length / t.dims[0];
  return tensor('float32', [1, ...t.dims.slice(1)], (t.data as Float32Array).subarray(b * n, (b + 1) * n));
}

/**
 * The generator's conditioning from one CLIP call over `promptIds(2)`: row 0 is the prompt, row 1 the
 * unconditional text, with a fixed random stream, as both the Node and the Chromium bench feed it.
 */
export function conditionFromRows(e: { penultimate: Tensor<'float32'>; pooled: Tensor<'float32'> }) {
  return {
    condition: row(e.penultimate, 0),
    pooled: row(e.pooled, 0),
    uncondCondition: row(e.penultimate, 1),
    uncondPooled: row(e.pooled, 1),
    rng: new SeededRng(1),
  };
}
