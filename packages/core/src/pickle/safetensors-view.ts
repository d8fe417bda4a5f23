import { type FileHandle, checkRange } from '../file-handle.js';
import { SafetensorsFile, type SafetensorsOpenOptions } from '../safetensors.js';
import { MaskgenError, quote } from '../errors.js';
import { TorchCheckpoint } from './torch-checkpoint.js';
import { isLegacyTorch } from './torch-legacy.js';

/**
 * Presents a PyTorch checkpoint as a safetensors file without converting it: a generated header,
 * then each tensor's bytes read from the zip on demand. SafetensorsFile.open, GraphBuilder.weight and
 * the runtimes' packing all work on it unchanged; reading it start to end writes a real
 * .safetensors file (e.g. to cache a converted checkpoint on disk).
 */
export function checkpointAsSafetensors(ckpt: TorchCheckpoint, name = `${ckpt.file.name}.safetensors`): FileHandle {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', converted_from: 'torch-pickle' } };
  const layout: { name: string; start: number; end: number }[] = [];
  let offset = 0;
  for (const t of ckpt.tensors.values()) {
    header[t.name] = { dtype: t.stDtype, shape: t.dims, data_offsets: [offset, offset + t.byteLength] };
    layout.push({ name: t.name, start: offset, end: offset + t.byteLength });
    offset += t.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(8 + Math.ceil(json.byteLength / 8) * 8).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(head.byteLength - 8), true);
  head.set(json, 8);
  const size = head.byteLength + offset;
  return {
    name,
    size,
    async read(pos, length, opts) {
      checkRange(name, size, pos, length);
      const out = new Uint8Array(length);
      const end = pos + length;
      if (pos < head.byteLength) out.set(head.subarray(pos, Math.min(end, head.byteLength)));
      const dataFrom = Math.max(pos, head.byteLength) - head.byteLength;
      const dataTo = end - head.byteLength;
      for (const seg of layout) {
        if (seg.end <= dataFrom || seg.start >= dataTo || seg.end === seg.start) continue;
        const a = Math.max(seg.start, dataFrom);
        const b = Math.min(seg.end, dataTo);
        const bytes = await ckpt.readBytes(seg.name, a - seg.start, b - a, opts);
        out.set(bytes, a + head.byteLength - pos);
      }
      return out;
    },
  };
}

/** Which container a weight file is, from its first bytes; undefined when it is none of them. */
export async function sniffWeightFormat(file: FileHandle, signal?: AbortSignal): Promise<'zip' | 'legacy' | 'safetensors' | undefined> {
  if (await isLegacyTorch(file, signal)) return 'legacy';
  if (file.size < 9) return undefined;
  const b = await file.read(0, 9, { signal });
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return 'zip';
  const headerLen = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  return b[8] === 0x7b && headerLen >= 2n ? 'safetensors' : undefined;
}

/**
 * Opens a weight file of any kind — safetensors, or a `torch.save` checkpoint in either of torch's
 * containers (zip, legacy) read safely — as a SafetensorsFile, so model code has one path for
 * repos and single files whatever they ship. Anything else is refused naming the formats tried.
 */
export async function openStateDict(file: FileHandle, opts?: SafetensorsOpenOptions): Promise<SafetensorsFile> {
  const format = await sniffWeightFormat(file, opts?.signal);
  if (format === 'safetensors') return SafetensorsFile.open(file, opts);
  // Under the checkpoint's own name, so messages (a NaN weight, a missing tensor) name the file the user has.
  if (format) return SafetensorsFile.open(checkpointAsSafetensors(await TorchCheckpoint.open(file, opts), file.name), opts);
  const head = file.size >= 8 ? Array.from(await file.read(0, 8, opts), (x) => x.toString(16).padStart(2, '0')).join(' ') : `only ${file.size} bytes`;
  throw new MaskgenError(
    'INVALID_CHECKPOINT',
    `weights ${quote(file.name)} are not in a known format (first bytes: ${head}); tried safetensors, torch.save zip (torch >= 1.6) and torch.save legacy (_use_new_zipfile_serialization=False)`,
  );
}
