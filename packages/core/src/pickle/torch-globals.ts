import { MaskgenError, quote } from '../errors.js';
import { numel } from '../tensor.js';

/** A Python global the unpickler allowed: an inert marker, never something that runs. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A tuple, kept distinct from lists so argument checks can tell them apart. */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A storage named by a persistent id: bytes in the zip's `data/<key>` member. */
export interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  /** safetensors dtype name of the storage's elements ('U8' for untyped storages). */
  readonly stDtype: string;
  readonly numel: number;
}

/** A tensor view of a storage, as `_rebuild_tensor_v2` describes it (offsets and strides in elements). */
export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly stDtype: string;
  readonly offset: number;
  readonly dims: number[];
  readonly strides: number[];
}

/** torch storage classes and dtypes → safetensors dtype names. */
export const STORAGE_DTYPES: Readonly<Record<string, string>> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
  UntypedStorage: 'U8',
};
const TORCH_DTYPES: Readonly<Record<string, string>> = {
  float32: 'F32',
  float: 'F32',
  float16: 'F16',
  half: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
  double: 'F64',
  int64: 'I64',
  long: 'I64',
  int32: 'I32',
  int: 'I32',
  int16: 'I16',
  short: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

const REBUILDERS = new Set([
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'collections.OrderedDict',
]);
const MARKERS = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter', 'torch.Size']);

/**
 * The allowlist: tensor-rebuild functions, OrderedDict, storage classes and dtypes. Everything else
 * (os.system, builtins.eval, numpy, any class) is refused before it is even looked at.
 */
export function allowGlobal(module: string, name: string): PyGlobal {
  const q = `${module}.${name}`;
  const storage = module === 'torch' && name in STORAGE_DTYPES;
  const dtype = module === 'torch' && name in TORCH_DTYPES;
  if (!REBUILDERS.has(q) && !MARKERS.has(q) && !storage && !dtype) {
    throw new MaskgenError(
      'UNSAFE_PICKLE',
      `pickle refers to the global ${quote(q)}; only PyTorch tensor-rebuild functions, OrderedDict and storage types are allowed (no code is ever run)`,
    );
  }
  return new PyGlobal(module, name);
}

const bad = (msg: string) => new MaskgenError('INVALID_CHECKPOINT', `PyTorch checkpoint: ${msg}`);

function ints(v: unknown, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : undefined;
  if (!items || items.some((x) => !Number.isSafeInteger(x) || (x as number) < 0) || items.length > 16)
    throw bad(`${what} must be a tuple of up to 16 non-negative integers, got ${quote(v)}`);
  return items as number[];
}

function tensorFrom(args: unknown[], dtypeOverride?: unknown): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!storage || (storage as StorageRef).kind !== 'storage') throw bad('a tensor was rebuilt from something that is not a storage');
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw bad(`storage offset ${quote(offset)} is not a non-negative integer`);
  const dims = ints(size, 'tensor size');
  const strides = ints(stride, 'tensor stride');
  if (strides.length !== dims.length) throw bad(`size ${quote(dims)} and stride ${quote(strides)} differ in rank`);
  try {
    numel(dims);
  } catch {
    throw bad(`tensor size ${quote(dims)} has more elements than a JavaScript number counts exactly (2^53)`);
  }
  let stDtype = (storage as StorageRef).stDtype;
  if (dtypeOverride !== undefined) {
    if (!(dtypeOverride instanceof PyGlobal) || !(dtypeOverride.name in TORCH_DTYPES)) throw bad(`unsupported tensor dtype ${quote(dtypeOverride)}`);
    stDtype = TORCH_DTYPES[dtypeOverride.name];
  }
  return { kind: 'tensor', storage: storage as StorageRef, stDtype, offset: offset as number, dims, strides };
}

/** REDUCE: calls an allowed rebuild function on plain data; anything else is refused. */
export function callGlobal(fn: unknown, argsValue: unknown): unknown {
  if (!(fn instanceof PyGlobal) || !REBUILDERS.has(fn.qualified))
    throw new MaskgenError(
      'UNSAFE_PICKLE',
      `pickle calls ${quote(fn instanceof PyGlobal ? fn.qualified : String(fn))}, which is not a tensor-rebuild function`,
    );
  if (!(argsValue instanceof PyTuple)) throw bad(`arguments of ${fn.qualified} are not a tuple`);
  const args = argsValue.items;
  switch (fn.qualified) {
    case 'collections.OrderedDict': {
      const m = new Map<unknown, unknown>();
      const init = args[0];
      if (Array.isArray(init)) for (const kv of init) if (kv instanceof PyTuple && kv.items.length === 2) m.set(kv.items[0], kv.items[1]);
      return m;
    }
    case 'torch._utils._rebuild_tensor':
    case 'torch._utils._rebuild_tensor_v2':
      return tensorFrom(args);
    case 'torch._utils._rebuild_tensor_v3':
      return tensorFrom(args, args[6]);
    case 'torch._tensor._rebuild_from_type_v2':
      return callGlobal(args[0], args[2]);
    default: {
      const t = args[0];
      if (!t || (t as TensorRef).kind !== 'tensor') throw bad(`${fn.qualified} was given something that is not a tensor`);
      return t; // Parameter → its data
    }
  }
}

/** BINPERSID: `('storage', StorageType, key, location, numel)`. */
export function storageFromPid(pid: unknown): StorageRef {
  const items = pid instanceof PyTuple ? pid.items : undefined;
  if (!items || items[0] !== 'storage' || items.length < 5) throw bad(`unsupported persistent id ${quote(pid)}`);
  const [, type, key, , numel, view] = items;
  if (view !== undefined && view !== null)
    throw bad(`storage ${quote(key)} is a view of another storage (pre-1.0 torch.save); re-save the checkpoint with a current torch`);
  if (!(type instanceof PyGlobal) || !(type.name in STORAGE_DTYPES))
    throw new MaskgenError(
      'UNSUPPORTED_DTYPE',
      `PyTorch checkpoint: storage type ${quote(type)} is not supported; allowed: ${Object.keys(STORAGE_DTYPES).join(', ')}`,
    );
  if (typeof key !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(key)) throw bad(`storage key ${quote(key)} is not a plain name`);
  if (!Number.isSafeInteger(numel) || (numel as number) < 0) throw bad(`storage size ${quote(numel)} is not a non-negative integer`);
  return { kind: 'storage', key, stDtype: STORAGE_DTYPES[type.name], numel: numel as number };
}

/** Collects the tensors of nested dicts/lists under dotted names (`{'state_dict': {...}}` → `state_dict.x`). */
export function collectTensors(value: unknown, prefix: string, out: Map<string, TensorRef>, depth = 0): void {
  if (depth > 32) return;
  const at = (k: unknown) => (prefix ? `${prefix}.${String(k)}` : String(k));
  if (value && (value as TensorRef).kind === 'tensor') out.set(prefix, value as TensorRef);
  else if (value instanceof Map)
    for (const [k, v] of value) typeof k === 'string' || typeof k === 'number' ? collectTensors(v, at(k), out, depth + 1) : undefined;
  else if (Array.isArray(value) || value instanceof PyTuple)
    (Array.isArray(value) ? value : value.items).forEach((v, i) => collectTensors(v, at(i), out, depth + 1));
}
