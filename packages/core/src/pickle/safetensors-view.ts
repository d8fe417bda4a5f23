import { type FileHandle, checkRange } from '../file-handle.js';
import { SafetensorsFile } from '../safetensors.js';
import { TorchCheckpoint } from './torch-checkpoint.js';

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

/** True when the first bytes are a zip's (PyTorch checkpoints) rather than a safetensors header. */
async function isZip(file: FileHandle, signal?: AbortSignal): Promise<boolean> {
  if (file.size < 4) return false;
  const b = await file.read(0, 4, { signal });
  return b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/**
 * Opens a weight file of either kind — safetensors, or a `torch.save` zip (`pytorch_model.bin`) read
 * safely — as a SafetensorsFile, so model code has one path for repos with and without safetensors.
 */
export async function openStateDict(file: FileHandle, opts?: { signal?: AbortSignal }): Promise<SafetensorsFile> {
  if (!(await isZip(file, opts?.signal))) return SafetensorsFile.open(file, opts);
  return SafetensorsFile.open(checkpointAsSafetensors(await TorchCheckpoint.open(file, opts)), opts);
}
