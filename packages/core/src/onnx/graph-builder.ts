import { throwIfAborted } from '../abort.js';
import { MaskgenError, quote } from '../errors.js';
import type { FileHandle } from '../file-handle.js';
import { type PackCache, packCacheKey } from '../pack-cache.js';
import type { OnnxModel, PackedOnnxModel, Runtime } from '../runtime.js';
import type { SafetensorsFile } from '../safetensors.js';
import { type DType, type Tensor, numel } from '../tensor.js';
import { type Attrs, ONNX_DTYPE, ST_TO_ONNX } from './onnx-types.js';
import { DerivedWeights, INT8_BLOCK, type WeightPrecision, int8Source } from './int8-weights.js';
import { ProtoWriter } from './proto-writer.js';

let packCounter = 0;

/** ONNX TensorProto data type of int8 (no core DType carries it: it only lives inside int8 graphs). */
const ONNX_INT8 = 3;

/** A tensor name inside the graph being built. */
export type Value = string;

/** How a model's graphs are built; passed by model packages from their create options. */
export interface GraphOptions {
  /** 'int8' runs large linear layers on block-quantised weights (¼ the memory; see quantizeBlockwiseInt8). */
  precision?: WeightPrecision;
  /**
   * How an int8 linear runs: 'MatMulNBits' (default; one fused kernel) or 'DequantizeLinear' (the same
   * quantised bytes, dequantised per block in the graph, then MatMul) for runtimes without 8-bit
   * MatMulNBits. Pick it from the runtime with `graphOptionsFor`.
   */
  int8Kernel?: Int8Kernel;
}

/** The op form of an int8 linear layer (see GraphOptions.int8Kernel). */
export type Int8Kernel = 'MatMulNBits' | 'DequantizeLinear';

/**
 * Graph options for a model about to run on `runtime`: int8 graphs take the form the runtime says it
 * runs (RuntimeCapabilities), so model packages stay platform-neutral and never fall back silently.
 */
export async function graphOptionsFor(runtime: Runtime, precision: WeightPrecision = 'float32'): Promise<GraphOptions> {
  if (precision !== 'int8') return { precision };
  const caps = (await runtime.capabilities?.()) ?? {};
  return { precision, int8Kernel: caps.int8MatMulNBits === false ? 'DequantizeLinear' : 'MatMulNBits' };
}

/**
 * A linear weight [N, K] in int8 form. MatMulNBits: ids `q` uint8 [N, K/32, 32] (zero point 128) and
 * one scale per block. DequantizeLinear: the same ids minus 128 as int8 [N·K/32, 32], same scales.
 */
export interface Int8Weight {
  kernel: Int8Kernel;
  q: Value;
  scales: Value;
  N: number;
  K: number;
  blockSize: number;
}

/** ONNX opset the builder targets (LayerNormalization, Gelu with tanh approximation). */
export const OPSET = 20;

interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
  domain: string;
}
interface InlineInit {
  kind: 'inline';
  name: string;
  type: number;
  dims: readonly number[];
  bytes: Uint8Array;
}
interface ExternalInit {
  kind: 'external';
  name: string;
  type: number;
  dims: readonly number[];
  file: FileHandle;
  offset: number;
  length: number;
}
interface IoDef {
  name: string;
  type: number;
  dims?: readonly (number | string)[];
}

function bytesOf(t: Tensor): Uint8Array {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * Builds an ONNX graph in memory and encodes it. Weights are referenced in place inside their
 * safetensors files (external data), so building a 4 GB model allocates only the graph structure.
 */
export class GraphBuilder {
  private nodes: NodeDef[] = [];
  private inits: (InlineInit | ExternalInit)[] = [];
  private inputs: IoDef[] = [];
  private outputs: IoDef[] = [];
  private names = new Set<string>();
  private constCache = new Map<string, Value>();
  private weightCache = new Map<string, Value>();
  private weightSources = new Map<Value, { st: SafetensorsFile; tensorName: string }>();
  private int8Cache = new Map<Value, Int8Weight>();
  private derived?: DerivedWeights;
  private counter = 0;
  /** Format of the linear layers' weights; with 'int8' every large checkpoint linear becomes MatMulNBits. */
  readonly precision: WeightPrecision;
  /** Op form of int8 linears (see GraphOptions.int8Kernel). */
  readonly int8Kernel: Int8Kernel;

  constructor(
    readonly name: string,
    opts: GraphOptions = {},
  ) {
    this.precision = opts.precision ?? 'float32';
    this.int8Kernel = opts.int8Kernel ?? 'MatMulNBits';
  }

  /** A fresh unique tensor name with a readable prefix (helps when reading ORT errors). */
  fresh(prefix = 't'): Value {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new MaskgenError('INVALID_ARGUMENT', `graph ${this.name}: duplicate tensor name ${quote(name)}`);
    this.names.add(name);
    return name;
  }

  /** Declares a graph input; string dims are symbolic (batch, sequence length). */
  input(name: string, dtype: DType, dims: readonly (number | string)[]): Value {
    this.inputs.push({ name: this.claim(name), type: ONNX_DTYPE[dtype], dims });
    return name;
  }

  /** Declares a graph output under `name` (an Identity is inserted when the value has another name). */
  output(value: Value, name: string, dtype: DType = 'float32', dims?: readonly (number | string)[]): void {
    let v = value;
    if (v !== name) {
      this.claim(name);
      this.nodes.push({ op: 'Identity', inputs: [v], outputs: [name], attrs: {}, domain: '' });
      v = name;
    }
    this.outputs.push({ name: v, type: ONNX_DTYPE[dtype], dims });
  }

  /** Adds a node and returns its outputs. */
  op(op: string, inputs: readonly (Value | null | undefined)[], attrs: Attrs = {}, opts: { outputs?: number; domain?: string; name?: string } = {}): Value[] {
    const n = opts.outputs ?? 1;
    const outputs = Array.from({ length: n }, (_, i) => (i === 0 && opts.name ? this.claim(opts.name) : this.fresh(op.toLowerCase())));
    this.nodes.push({ op, inputs: inputs.map((x) => x ?? ''), outputs, attrs, domain: opts.domain ?? '' });
    return outputs;
  }

  /** Single-output node (the common case). */
  op1(op: string, inputs: readonly (Value | null | undefined)[], attrs: Attrs = {}, opts: { domain?: string; name?: string } = {}): Value {
    return this.op(op, inputs, attrs, opts)[0];
  }

  /** An inline constant initializer, deduplicated by content. */
  constant(t: Tensor, name?: string): Value {
    const bytes = bytesOf(t);
    const key = bytes.byteLength <= 256 ? `${t.dtype}|${t.dims.join(',')}|${Array.from(bytes).join(',')}` : undefined;
    if (key && !name) {
      const hit = this.constCache.get(key);
      if (hit) return hit;
    }
    const n = name ? this.claim(name) : this.fresh('const');
    this.inits.push({ kind: 'inline', name: n, type: ONNX_DTYPE[t.dtype], dims: [...t.dims], bytes: bytes.slice() });
    if (key && !name) this.constCache.set(key, n);
    return n;
  }

  /** int64 constant (shapes, axes, indices). */
  i64(values: readonly number[], dims: readonly number[] = [values.length]): Value {
    return this.constant({ dtype: 'int64', dims, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
  }

  /** float32 constant; a bare number gives a scalar. */
  f32(values: number | readonly number[], dims?: readonly number[]): Value {
    const arr = typeof values === 'number' ? [values] : values;
    return this.constant({ dtype: 'float32', dims: dims ?? (typeof values === 'number' ? [] : [arr.length]), data: Float32Array.from(arr) });
  }

  /**
   * References a safetensors tensor in place as an external initializer (no bytes read now).
   * `expectDims` guards against checkpoints whose shapes disagree with the config.
   */
  weight(st: SafetensorsFile, tensorName: string, expectDims?: readonly number[]): Value {
    const key = `${st.file.name}\u0000${tensorName}`;
    const hit = this.weightCache.get(key);
    if (hit) return hit;
    const info = st.info(tensorName);
    if (expectDims && (expectDims.length !== info.dims.length || expectDims.some((d, i) => d !== info.dims[i]))) {
      throw new MaskgenError(
        'SHAPE_MISMATCH',
        `weights ${quote(st.file.name)}: tensor ${quote(tensorName)} has shape ${quote(info.dims)}, expected ${quote(expectDims)}`,
      );
    }
    const type = ST_TO_ONNX[info.stDtype];
    if (type !== 1 && type !== 10) {
      throw new MaskgenError('UNSUPPORTED_DTYPE', `tensor ${quote(tensorName)}: dtype ${info.stDtype} cannot be used as a weight; expected F32 or F16`);
    }
    const n = this.fresh(tensorName.replace(/[^A-Za-z0-9_]/g, '_'));
    this.inits.push({ kind: 'external', name: n, type, dims: info.dims, file: st.file, offset: info.offset, length: info.byteLength });
    this.weightCache.set(key, n);
    this.weightSources.set(n, { st, tensorName });
    return n;
  }

  /**
   * The int8 form of a linear weight [N, K] when this graph runs int8 and `weight` is a 2-D
   * checkpoint tensor with at least one whole 32-block of inputs; otherwise undefined and the caller
   * keeps float32. The quantised bytes are computed when the runtime reads them (see DerivedWeights).
   */
  int8Weight(weight: Value): Int8Weight | undefined {
    if (this.precision !== 'int8') return undefined;
    const hit = this.int8Cache.get(weight);
    if (hit) return hit;
    const src = this.weightSources.get(weight);
    const dims = src?.st.info(src.tensorName).dims;
    if (!src || !dims || dims.length !== 2 || dims[1] < INT8_BLOCK) return undefined;
    const [N, K] = dims;
    const blocks = Math.ceil(K / INT8_BLOCK);
    this.derived ??= new DerivedWeights(`${this.name} int8 weights`);
    if (!this.derived.derivedFrom.files.includes(src.st.file)) this.derived.derivedFrom.files.push(src.st.file);
    const make = int8Source(src.st, src.tensorName, N, K);
    const add = (part: 'q' | 'scales', type: number, d: number[], length: number, bytes = (signal?: AbortSignal) => make(part, signal)) => {
      const n = this.fresh(`${src.tensorName.replace(/[^A-Za-z0-9_]/g, '_')}_${part}`);
      const offset = this.derived!.add(length, bytes);
      this.inits.push({ kind: 'external', name: n, type, dims: d, file: this.derived!, offset, length });
      return n;
    };
    const kernel = this.int8Kernel;
    const ids = N * blocks * INT8_BLOCK;
    // (q − 128) as int8 is q with its top bit flipped: the same bytes, zero point 0 for DequantizeLinear.
    const signed = (signal?: AbortSignal) => make('q', signal).then((b) => b.map((v) => v ^ 0x80));
    const qv = kernel === 'MatMulNBits' ? add('q', ONNX_DTYPE.uint8, [N, blocks, INT8_BLOCK], ids) : add('q', ONNX_INT8, [N * blocks, INT8_BLOCK], ids, signed);
    const q = { kernel, q: qv, scales: add('scales', ONNX_DTYPE.float32, [N * blocks], N * blocks * 4), N, K, blockSize: INT8_BLOCK };
    this.int8Cache.set(weight, q);
    return q;
  }

  /** Initializers some node reads: weights replaced by their int8 form are left out of the model. */
  private live(): (InlineInit | ExternalInit)[] {
    const used = new Set<string>();
    for (const n of this.nodes) for (const i of n.inputs) used.add(i);
    for (const o of this.outputs) used.add(o.name);
    return this.inits.filter((i) => used.has(i.name));
  }

  /** Encodes the model; external weights stay in their files (see OnnxModel.pack for a packed copy). */
  build(): OnnxModel {
    const files = new Map<FileHandle, { path: string; used: number }>();
    for (const init of this.live()) {
      if (init.kind !== 'external') continue;
      let f = files.get(init.file);
      if (!f) files.set(init.file, (f = { path: `weights_${files.size}.bin`, used: 0 }));
      f.used += init.length;
    }
    const graph = this.encode((init) => ({ path: files.get(init.file)!.path, offset: init.offset }));
    const self = this;
    return {
      name: this.name,
      graph,
      externalData: [...files].map(([file, f]) => ({ path: f.path, file, usedBytes: f.used })),
      inputNames: this.inputs.map((i) => i.name),
      outputNames: this.outputs.map((o) => o.name),
      pack: (opts) => self.pack(opts, graph),
      scanWeights: (opts) => self.scanWeights(opts),
      nonFiniteAllowed: this.nonFiniteAllowed(),
      relocate: (paths) =>
        self.encode((init) => {
          const path = files.get(init.file)!.path;
          return { path: paths[path] ?? path, offset: init.offset };
        }),
    };
  }

  private async pack(opts: { signal?: AbortSignal; limitBytes?: number; cache?: PackCache } = {}, graph?: Uint8Array): Promise<PackedOnnxModel> {
    const ext = this.live().filter((i): i is ExternalInit => i.kind === 'external');
    const places = new Map<ExternalInit, number>();
    let size = 0;
    for (const init of ext) {
      places.set(init, size);
      size += Math.ceil(init.length / 64) * 64;
    }
    if (opts.limitBytes !== undefined && size > opts.limitBytes) {
      throw new MaskgenError('RUNTIME_LIMIT', `model ${this.name}: ${size} bytes of weights exceed the runtime's limit of ${opts.limitBytes} bytes`);
    }
    const key = await this.packKey(ext, opts.cache, graph);
    let data = key ? await opts.cache!.get(key, opts).catch(() => undefined) : undefined;
    if (data && data.length !== size) data = undefined; // another layout under the same key cannot happen; a torn entry can
    if (!data) {
      data = new Uint8Array(size);
      for (const init of ext) {
        throwIfAborted(opts.signal, `packing ${this.name}`);
        const bytes = await init.file.read(init.offset, init.length, opts);
        // The NaN/±Inf rule for weights, on the bytes while they pass (int8 forms were checked as floats when quantised).
        const src = this.weightSources.get(init.name);
        src?.st.checkFinite(src.tensorName, bytes);
        data.set(bytes, places.get(init)!);
      }
      if (key) await opts.cache!.put(key, data).catch(() => undefined);
    }
    // A unique name per packed copy: onnxruntime-web mounts external data by path, and sessions created
    // concurrently under one name would read each other's weights.
    const path = `${this.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${++packCounter}.weights.bin`;
    const encoded = this.encode((init) => ({ path, offset: places.get(init)! }));
    return { graph: encoded, externalData: ext.length ? [{ path, data }] : [] };
  }

  /**
   * The pack-cache key of this model, or undefined when it must not be cached: no cache, no derived
   * (int8) bytes to save computing, weights opened with allowNonFinite (a strict run must not reuse
   * what was derived from unchecked weights), or a weight file without a content identity.
   */
  private async packKey(ext: ExternalInit[], cache: PackCache | undefined, graph: Uint8Array | undefined): Promise<string | undefined> {
    if (!cache || !graph || !ext.some((i) => i.file.derivedFrom)) return undefined;
    if (this.nonFiniteAllowed()) return undefined;
    return packCacheKey(graph, [...new Set(ext.map((i) => i.file))]);
  }

  /** True when a checkpoint behind this graph was opened with allowNonFinite (see OnnxModel.nonFiniteAllowed). */
  private nonFiniteAllowed(): boolean {
    return [...this.weightSources.values()].some((s) => s.st.nonFinite.allowNonFinite);
  }

  /** See OnnxModel.scanWeights: the checkpoint tensors of live initializers, one at a time. */
  private async scanWeights(opts: { signal?: AbortSignal } = {}): Promise<void> {
    for (const init of this.live()) {
      const src = init.kind === 'external' ? this.weightSources.get(init.name) : undefined;
      if (src) await src.st.scanFinite(src.tensorName, opts);
    }
  }

  private encode(locate: (init: ExternalInit) => { path: string; offset: number }): Uint8Array {
    const w = new ProtoWriter();
    w.int(1, 9); // ir_version
    w.string(2, 'maskgen.js');
    w.message(7, (g) => {
      for (const node of this.nodes) g.message(1, (nw) => encodeNode(nw, node));
      g.string(2, this.name);
      for (const init of this.live()) {
        g.message(5, (t) => {
          for (const d of init.dims) t.int(1, d);
          t.int(2, init.type);
          t.string(8, init.name);
          if (init.kind === 'inline') {
            t.bytes(9, init.bytes);
          } else {
            const loc = locate(init);
            const kv = (k: string, v: string) => t.message(13, (e) => e.string(1, k).string(2, v));
            kv('location', loc.path);
            kv('offset', String(loc.offset));
            kv('length', String(init.length));
            t.int(14, 1);
          }
        });
      }
      for (const io of this.inputs) g.message(11, (v) => encodeValueInfo(v, io));
      for (const io of this.outputs) g.message(12, (v) => encodeValueInfo(v, io));
    });
    w.message(8, (o) => o.string(1, '').int(2, OPSET));
    if (this.nodes.some((n) => n.domain === 'com.microsoft')) w.message(8, (o) => o.string(1, 'com.microsoft').int(2, 1));
    return w.finish();
  }

  /** Total bytes of external weights referenced (for memory planning and limits). */
  externalBytes(): number {
    return this.live().reduce((s, i) => s + (i.kind === 'external' ? i.length : 0), 0);
  }

  /** Number of elements in a static shape (re-exported convenience for blocks). */
  static numel(dims: readonly number[]): number {
    return numel(dims);
  }
}

function encodeValueInfo(v: ProtoWriter, io: IoDef): void {
  v.string(1, io.name);
  v.message(2, (tp) =>
    tp.message(1, (tt) => {
      tt.int(1, io.type);
      const dims = io.dims;
      if (dims) {
        tt.message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        });
      }
    }),
  );
}

function encodeNode(w: ProtoWriter, node: NodeDef): void {
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  w.string(3, `${node.op}_${node.outputs[0]}`);
  w.string(4, node.op);
  if (node.domain) w.string(7, node.domain);
  for (const [name, value] of Object.entries(node.attrs)) {
    if (value === undefined) continue;
    w.message(5, (a) => {
      a.string(1, name);
      if (typeof value === 'number') {
        if (!Number.isInteger(value)) throw new MaskgenError('INVALID_ARGUMENT', `attribute ${name}: wrap float values as { f: ${value} }`);
        a.int(3, value).int(20, 2);
      } else if (typeof value === 'string') {
        a.string(4, value).int(20, 3);
      } else if (Array.isArray(value)) {
        a.packedInts(8, value as number[]).int(20, 7);
      } else if ('f' in (value as object)) {
        a.float(2, (value as { f: number }).f).int(20, 1);
      } else {
        a.packedFloats(7, (value as { floats: number[] }).floats).int(20, 6);
      }
    });
  }
}
