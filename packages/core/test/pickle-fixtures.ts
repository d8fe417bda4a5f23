import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../src/crc32.js';

/** Emits pickle opcodes by hand (what torch.save writes), so tests need neither Python nor torch. */
export class PickleWriter {
  private bytes: number[] = [];
  private memo = 0;

  raw(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  proto(n = 2): this {
    return this.raw(0x80, n);
  }
  global(module: string, name: string): this {
    return this.raw(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`)).put();
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x58, ...u32(b.byteLength), ...b).put();
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.raw(0x4b, n);
    if (n >= 0 && n < 65536) return this.raw(0x4d, n & 255, n >> 8);
    if (n >= 0 && n < 2 ** 31) return this.raw(0x4a, ...u32(n));
    const b: number[] = [];
    for (let x = BigInt(n); b.length < 8; x >>= 8n) b.push(Number(x & 255n));
    return this.raw(0x8a, 8, ...b); // LONG1, as pickle writes ints beyond 32 bits
  }
  put(): this {
    return this.raw(0x71, this.memo++ & 255);
  }
  mark(): this {
    return this.raw(0x28);
  }
  tuple(): this {
    return this.raw(0x74);
  }
  emptyTuple(): this {
    return this.raw(0x29);
  }
  reduce(): this {
    return this.raw(0x52);
  }
  orderedDict(): this {
    return this.global('collections', 'OrderedDict').emptyTuple().reduce().put();
  }
  ints(xs: number[]): this {
    this.mark();
    for (const x of xs) this.int(x);
    return this.tuple();
  }
  stop(): Uint8Array {
    return Uint8Array.from([...this.bytes, 0x2e]);
  }
}

function u32(n: number): number[] {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
}

/** One tensor of a fixture state dict. */
export interface FixtureTensor {
  name: string;
  storage: string;
  storageType?: string;
  key: string;
  numel: number;
  offset?: number;
  size: number[];
  stride?: number[];
  parameter?: boolean;
  /** Legacy persistent ids carry a sixth item, view metadata: null (None) for plain storages. */
  view?: string | null;
}

const rowMajor = (size: number[]) => size.map((_, i) => size.slice(i + 1).reduce((a, b) => a * b, 1));

/** The pickle of an OrderedDict state dict as torch.save (protocol 2) lays it out. */
export function stateDictPickle(tensors: FixtureTensor[]): Uint8Array {
  return writeStateDict(new PickleWriter().proto(2), tensors).stop();
}

/** Appends the OrderedDict expression of a state dict to a pickle being written. */
export function writeStateDict(w: PickleWriter, tensors: FixtureTensor[]): PickleWriter {
  w.orderedDict().mark();
  for (const t of tensors) {
    w.str(t.name);
    if (t.parameter) w.global('torch._utils', '_rebuild_parameter').mark();
    w.global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark()
      .str('storage')
      .global('torch', t.storageType ?? 'FloatStorage')
      .str(t.key)
      .str('cpu')
      .int(t.numel);
    if (t.view !== undefined) t.view === null ? w.raw(0x4e) : w.mark().str(t.view).int(0).int(t.numel).tuple();
    w.tuple().raw(0x51);
    w.int(t.offset ?? 0)
      .ints(t.size)
      .ints(t.stride ?? rowMajor(t.size))
      .raw(0x89)
      .orderedDict()
      .tuple()
      .reduce()
      .put();
    if (t.parameter) w.raw(0x89).orderedDict().tuple().reduce().put();
  }
  return w.raw(0x75);
}

/** A zip as PyTorch writes it: stored members, data aligned to 64 bytes with local-header padding. */
export function zipFile(members: Record<string, Uint8Array>, opts: { deflate?: string[] } = {}): Uint8Array {
  const local: number[] = [];
  const central: number[] = [];
  let count = 0;
  for (const [name, data] of Object.entries(members)) {
    const nameBytes = new TextEncoder().encode(name);
    const deflate = opts.deflate?.includes(name);
    const body = deflate ? new Uint8Array(deflateRawSync(data)) : data;
    const offset = local.length;
    const pad = (64 - ((offset + 30 + nameBytes.byteLength + 4) % 64)) % 64;
    const extra = [0x4b, 0x46, pad & 255, pad >> 8, ...new Array(pad).fill(0)];
    const crc = crc32(data);
    const common = [20, 0, 0, 0, deflate ? 8 : 0, 0, 0, 0, 0, 0, ...u32(crc), ...u32(body.byteLength), ...u32(data.byteLength)];
    local.push(
      0x50,
      0x4b,
      0x03,
      0x04,
      ...common,
      nameBytes.byteLength & 255,
      nameBytes.byteLength >> 8,
      extra.length & 255,
      extra.length >> 8,
      ...nameBytes,
      ...extra,
      ...body,
    );
    central.push(
      0x50,
      0x4b,
      0x01,
      0x02,
      20,
      0,
      ...common,
      nameBytes.byteLength & 255,
      nameBytes.byteLength >> 8,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...u32(offset),
      ...nameBytes,
    );
    count++;
  }
  const eocd = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, count & 255, count >> 8, count & 255, count >> 8, ...u32(central.length), ...u32(local.length), 0, 0];
  return Uint8Array.from([...local, ...central, ...eocd]);
}

/** Little-endian bytes of a float32 array. */
export function f32bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** Options of legacyFile: pieces a hostile file may change. */
export interface LegacyOptions {
  magic?: bigint;
  protocol?: number;
  littleEndian?: boolean;
  /** Storage keys as pickled after the state dict (default: each storage once, in order). */
  keys?: string[];
  /** Element counts written before each storage's bytes (default: its bytes / 4). */
  counts?: Record<string, bigint>;
}

/** A little-endian LONG1 of `n` (the magic number is one). */
function long1(n: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 10; i++) out.push(Number((n >> BigInt(8 * i)) & 255n));
  return [0x8a, 10, ...out];
}

/**
 * torch's legacy container (`_use_new_zipfile_serialization=False`), written as torch 1.13 does:
 * pickles of the magic number, protocol 1001, sys info, the state dict and the sorted storage keys,
 * then per storage an int64 element count and its raw bytes.
 */
export function legacyFile(tensors: FixtureTensor[], storages: Record<string, Uint8Array>, o: LegacyOptions = {}): Uint8Array {
  const parts: ArrayLike<number>[] = [];
  parts.push(
    new PickleWriter()
      .proto(2)
      .raw(...long1(o.magic ?? 0x1950a86a20f9469cfc6cn))
      .stop(),
  );
  parts.push(
    new PickleWriter()
      .proto(2)
      .int(o.protocol ?? 1001)
      .stop(),
  );
  const sys = new PickleWriter()
    .proto(2)
    .raw(0x7d)
    .put()
    .mark()
    .str('protocol_version')
    .int(1001)
    .str('little_endian')
    .raw(o.littleEndian === false ? 0x89 : 0x88);
  parts.push(sys.raw(0x75).stop());
  parts.push(
    writeStateDict(
      new PickleWriter().proto(2),
      tensors.map((t) => ({ view: null, ...t })),
    ).stop(),
  );
  const keys = o.keys ?? Object.keys(storages);
  const kw = new PickleWriter().proto(2).raw(0x5d).put().mark();
  for (const k of keys) kw.str(k);
  parts.push(kw.raw(0x65).stop());
  for (const k of Object.keys(storages)) {
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigInt64(0, o.counts?.[k] ?? BigInt(storages[k].byteLength / 4), true);
    parts.push(count, storages[k]);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
