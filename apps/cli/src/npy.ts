import { MaskgenError, type Tensor, tensor } from '@maskgen/core';
import { MAX_LATENT } from './image-io.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Writes a tensor as a NumPy .npy (v1.0, little-endian int64 or float32), readable by `numpy.load`. */
export function encodeNpy(t: Tensor): Uint8Array {
  const descr = t.dtype === 'int64' ? '<i8' : t.dtype === 'float32' ? '<f4' : undefined;
  if (!descr) throw new MaskgenError('UNSUPPORTED_DTYPE', `.npy: dtype ${t.dtype} is not written; expected int64 or float32`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const view = t.data as ArrayBufferView;
  const out = new Uint8Array(10 + header.length + view.byteLength);
  out.set(MAGIC, 0);
  out.set([1, 0], 6);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), 10 + header.length);
  return out;
}

/** Reads a .npy written by numpy or by `encodeNpy` (v1/v2, little-endian int64/int32/float32, C order). */
export function decodeNpy(bytes: Uint8Array, name: string): Tensor {
  const bad = (m: string) => new MaskgenError('INVALID_ARGUMENT', `tokens file ${JSON.stringify(name)}: ${m}`);
  if (bytes.length < 12 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('not a .npy file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + hlen;
  if (start > bytes.length) throw bad('truncated header');
  const header = new TextDecoder().decode(bytes.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw bad('Fortran-ordered arrays are not supported');
  if (!descr || shapeText === undefined) throw bad('malformed header');
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0) || dims.length > 4) throw bad(`bad shape (${shapeText})`);
  const n = dims.reduce((a, b) => a * b, 1);
  const size = { '<i8': 8, '<i4': 4, '<f4': 4 }[descr];
  if (!size) throw bad(`dtype ${descr} is not supported; expected <i8, <i4 or <f4`);
  if (bytes.length - start !== n * size) throw bad(`holds ${bytes.length - start} data bytes, expected ${n * size}`);
  const data = bytes.slice(start).buffer;
  if (descr === '<f4') {
    const f = new Float32Array(data);
    if (!f.every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_LATENT)) throw bad(`latents must be finite and lie in [-${MAX_LATENT}, ${MAX_LATENT}]`);
    return tensor('float32', dims, f);
  }
  const ids = descr === '<i8' ? new BigInt64Array(data) : new Int32Array(data);
  if (!ids.every((v: number | bigint) => v >= 0 && v < 2 ** 31)) throw bad('token ids must be non-negative (ids of the codebook)');
  return tensor('int64', dims, descr === '<i8' ? new BigInt64Array(data) : BigInt64Array.from(new Int32Array(data), (v) => BigInt(v)));
}
