import { MaskgenError } from '@maskgen/core';

// Field numbers from onnx.proto: ModelProto.graph, GraphProto.initializer, TensorProto.external_data,
// StringStringEntryProto.key / .value.
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_EXTERNAL_DATA = 13;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

function readVarint(b: Uint8Array, p: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (p >= b.length) throw new MaskgenError('INVALID_ARGUMENT', 'ONNX graph: truncated varint');
    const byte = b[p++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, p];
    scale *= 128;
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/**
 * Copies a protobuf message field by field, replacing the payload of every length-delimited field
 * `field` with `map(payload)`. Everything else is copied byte for byte, so unknown fields survive.
 */
function mapField(msg: Uint8Array, field: number, map: (payload: Uint8Array) => Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let p = 0;
  while (p < msg.length) {
    const start = p;
    const [tag, afterTag] = readVarint(msg, p);
    const wire = tag & 7;
    p = afterTag;
    if (wire === 0) p = readVarint(msg, p)[1];
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const [len, body] = readVarint(msg, p);
      p = body + len;
      if (p > msg.length) throw new MaskgenError('INVALID_ARGUMENT', 'ONNX graph: truncated field');
      if (tag >>> 3 === field) {
        const payload = map(msg.subarray(body, p));
        parts.push(new Uint8Array([...varint(tag), ...varint(payload.length)]), payload);
        continue;
      }
    } else throw new MaskgenError('INVALID_ARGUMENT', `ONNX graph: unsupported wire type ${wire}`);
    parts.push(msg.subarray(start, p));
  }
  const out = new Uint8Array(parts.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

function entryKey(entry: Uint8Array): string | undefined {
  let key: string | undefined;
  mapField(entry, ENTRY_KEY, (k) => {
    key = new TextDecoder().decode(k);
    return k;
  });
  return key;
}

/**
 * Points every external-data initializer of an ONNX model at `location` (offsets unchanged). Used
 * by `maskgen export` so a packed graph names its weights file `<name>.weights.bin` next to it,
 * whatever temporary name the packer chose.
 */
export function setExternalLocation(model: Uint8Array, location: string): Uint8Array {
  const value = new TextEncoder().encode(location);
  return mapField(model, MODEL_GRAPH, (graph) =>
    mapField(graph, GRAPH_INITIALIZER, (t) =>
      mapField(t, TENSOR_EXTERNAL_DATA, (entry) => (entryKey(entry) === 'location' ? mapField(entry, ENTRY_VALUE, () => value) : entry)),
    ),
  );
}

/** The distinct external-data locations a model refers to (what a host must serve next to it). */
export function externalLocations(model: Uint8Array): string[] {
  const found = new Set<string>();
  mapField(model, MODEL_GRAPH, (graph) =>
    mapField(graph, GRAPH_INITIALIZER, (t) =>
      mapField(t, TENSOR_EXTERNAL_DATA, (entry) => {
        if (entryKey(entry) === 'location') mapField(entry, ENTRY_VALUE, (v) => (found.add(new TextDecoder().decode(v)), v));
        return entry;
      }),
    ),
  );
  return [...found];
}
