import { MaskgenError, quote } from './errors.js';
import type { Tensor } from './tensor.js';

const ST_NAME: Record<string, string> = { float32: 'F32', float16: 'F16', int32: 'I32', int64: 'I64', uint8: 'U8', bool: 'BOOL' };

/**
 * Serialises tensors as a safetensors file (8-aligned header, little-endian data). Used to write
 * random-weight checkpoints for benchmarks and to build fixtures in tests.
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = Object.create(null); // names like "__proto__" stay plain keys
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new MaskgenError('INVALID_ARGUMENT', 'tensor name "__metadata__" is reserved by the safetensors format');
    const st = ST_NAME[t.dtype];
    if (!st) throw new MaskgenError('UNSUPPORTED_DTYPE', `tensor ${quote(name)}: dtype ${t.dtype} cannot be written`);
    const view = t.data as ArrayBufferView;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    header[name] = { dtype: st, shape: t.dims, data_offsets: [offset, offset + bytes.byteLength] };
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(Math.ceil(raw.byteLength / 8) * 8).fill(0x20);
  headerBytes.set(raw);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let o = 8 + headerBytes.byteLength;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
