import type { CallResult, Tolerance } from './types.js';

/**
 * numpy.allclose semantics (|a − e| ≤ atol + rtol·|e|), integer exactness, or a bounded integer
 * difference for uint8 images — whichever the case's tolerance says. Shapes must match exactly.
 */
export function compareArrays(
  call: string,
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  tol: Tolerance,
  shapes?: { expected: readonly number[]; actual?: readonly number[] },
): CallResult {
  if (shapes?.actual && (shapes.actual.length !== shapes.expected.length || shapes.actual.some((d, i) => d !== shapes.expected[i]))) {
    return { call, pass: false, maxAbs: NaN, maxRel: NaN, note: `shape ${JSON.stringify(shapes.actual)} != expected ${JSON.stringify(shapes.expected)}` };
  }
  if (expected.length !== actual.length) {
    return { call, pass: false, maxAbs: NaN, maxRel: NaN, note: `length ${actual.length} != expected ${expected.length}` };
  }
  let maxAbs = 0;
  let maxRel = 0;
  let bad = 0;
  let firstBad = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Number(expected[i]);
    const a = Number(actual[i]);
    const d = Math.abs(a - e);
    const ok = tol === 'exact' ? a === e : tol.max_abs_diff !== undefined ? d <= tol.max_abs_diff : d <= (tol.atol ?? 0) + (tol.rtol ?? 0) * Math.abs(e);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    if (e !== 0) maxRel = Math.max(maxRel, d / Math.abs(e));
    if (!ok) {
      bad++;
      if (firstBad < 0) firstBad = i;
    }
  }
  const note = bad
    ? `${bad}/${expected.length} out of tolerance, first at ${firstBad}: got ${Number(actual[firstBad])}, expected ${Number(expected[firstBad])}`
    : undefined;
  return { call, pass: bad === 0, maxAbs, maxRel, note };
}
