import { MaskgenError, quote } from './errors.js';
import type { Tensor } from './tensor.js';

/**
 * A graph input or output as the loaded model declares it (onnxruntime's `inputMetadata` entries fit
 * as they are): string dims are symbolic, an empty or absent shape says nothing.
 */
export interface ValueSpec {
  readonly name: string;
  readonly isTensor?: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

const shapeText = (dims: readonly (number | string)[]) => `[${dims.map((d) => (fixed(d) || typeof d === 'string' ? d : '?')).join(',')}]`;

/** A dim the model fixes. Unknown ones come as -1 (onnxruntime-node) or 2^32 − 1 (onnxruntime-web). */
const fixed = (d: number | string): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d < 2 ** 31;

/** "x float32 [b,4], y float32 [b,4]": what a model takes, for messages. */
export function describeSpecs(specs: readonly ValueSpec[]): string {
  return specs.map((s) => `${s.name}${s.type ? ` ${s.type}` : ''}${s.shape?.length ? ` ${shapeText(s.shape)}` : ''}`).join(', ');
}

/**
 * Checks feeds against the model's declared inputs before the engine sees them, so a wrong shape is
 * reported by tensor name with expected and actual shapes (symbolic dims must agree across inputs),
 * instead of as a failure deep inside the graph naming an ONNX node.
 */
export function checkFeeds(model: string, specs: readonly ValueSpec[], feeds: Readonly<Record<string, Tensor>>): void {
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(feeds)) {
    if (!known.has(name))
      throw new MaskgenError('INVALID_ARGUMENT', `model ${model}: ${quote(name)} is not one of its inputs (${describeSpecs(specs) || 'none'})`);
  }
  const bound = new Map<string, { size: number; from: string }>();
  for (const spec of specs) {
    const t = feeds[spec.name];
    if (!t) throw new MaskgenError('INVALID_ARGUMENT', `model ${model}: input ${quote(spec.name)} is missing; it takes ${describeSpecs(specs)}`);
    if (spec.isTensor === false) continue;
    const got = `${t.dtype} ${shapeText(t.dims)}`;
    if (spec.type && t.dtype !== spec.type)
      throw new MaskgenError('INVALID_ARGUMENT', `model ${model}: input ${quote(spec.name)} is ${got}, expected ${spec.type}`);
    const want = spec.shape;
    if (!want || want.length === 0) continue;
    const expected = `expected ${spec.type ?? ''} ${shapeText(want)}`.replace('  ', ' ');
    if (t.dims.length !== want.length)
      throw new MaskgenError('SHAPE_MISMATCH', `model ${model}: input ${quote(spec.name)} is ${got}, ${expected} (rank ${t.dims.length}, not ${want.length})`);
    want.forEach((d, i) => {
      const size = t.dims[i];
      if (fixed(d) && size !== d)
        throw new MaskgenError('SHAPE_MISMATCH', `model ${model}: input ${quote(spec.name)} is ${got}, ${expected} (dimension ${i} is ${size}, not ${d})`);
      if (typeof d !== 'string' || d === '') return;
      const prior = bound.get(d);
      if (!prior) bound.set(d, { size, from: spec.name });
      else if (prior.size !== size) {
        throw new MaskgenError(
          'SHAPE_MISMATCH',
          `model ${model}: input ${quote(spec.name)} is ${got}, ${expected} with ${d} = ${prior.size} as in input ${quote(prior.from)} (dimension ${i} is ${size})`,
        );
      }
    });
  }
}

/** Checks what the engine returned against the declared outputs' dtypes and fixed dims (symbolic ones are free). */
export function checkOutputs(model: string, specs: readonly ValueSpec[], outputs: Readonly<Record<string, Tensor>>): void {
  for (const spec of specs) {
    const t = outputs[spec.name];
    if (!t || spec.isTensor === false) continue;
    const got = `${t.dtype} ${shapeText(t.dims)}`;
    const want = spec.shape ?? [];
    const fixedWrong = want.length > 0 && (want.length !== t.dims.length || want.some((d, i) => fixed(d) && d !== t.dims[i]));
    if ((spec.type && spec.type !== t.dtype) || fixedWrong) {
      throw new MaskgenError(
        'SHAPE_MISMATCH',
        `model ${model}: output ${quote(spec.name)} is ${got}, but the graph declares ${spec.type ?? ''} ${shapeText(want)}`.replace('  ', ' '),
      );
    }
  }
}

/**
 * An engine's run failure as a MaskgenError in the model's terms: ORT's text names graph nodes
 * ("Add_add_5") and its own source files; this keeps the op and the reason, drops the rest, and names
 * the input tensors given and declared. Shape failures get SHAPE_MISMATCH, others RUNTIME.
 */
export function runFailure(
  runtime: string,
  model: string,
  cause: unknown,
  feeds: Readonly<Record<string, Tensor>>,
  specs?: readonly ValueSpec[],
): MaskgenError {
  const raw = String((cause as Error)?.message ?? cause);
  const op = /running ([A-Za-z0-9_]+) node/.exec(raw)?.[1] ?? /Kernel "\[([A-Za-z0-9_]+)\] [^"]*"/.exec(raw)?.[1];
  const reason = raw
    .replace(/failed to call OrtRun\(\)\. ERROR_CODE: \d+, ERROR_MESSAGE: /g, '')
    .replace(/(?:\[WebGPU\] )?Kernel "\[[A-Za-z0-9_]+\] [^"]*" failed\.?\s*/g, '')
    .replace(/Non-zero status code returned while running [A-Za-z0-9_]+ node\. Name:'[^']*' Status Message: /g, '')
    .replace(/\S*\/\S+\.(?:h|cc|cpp|hpp):\d+ (?:[^()\n]*\([^)\n]*\)\s*)?/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const shape = /shape|dimension|broadcast|rank|reshape|size/i.test(reason);
  const given = Object.entries(feeds)
    .map(([k, t]) => `${k} ${t.dtype} ${shapeText(t.dims)}`)
    .join(', ');
  const declared = specs?.length ? `; it takes ${describeSpecs(specs)}` : '';
  const what = shape ? 'the input shapes do not fit together' : 'the run failed';
  return new MaskgenError(
    shape ? 'SHAPE_MISMATCH' : 'RUNTIME',
    `${runtime} could not run ${model}: ${what} (${op ? `${op}: ` : ''}${reason}); given ${given || 'no inputs'}${declared}`,
    { cause },
  );
}
