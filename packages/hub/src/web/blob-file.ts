import { type FileHandle, checkRange } from '@maskgen/core';

/**
 * A FileHandle over a Blob. Blobs from Cache Storage and OPFS are disk-backed in browsers, so
 * slicing reads only the requested range of a cached weight file.
 */
export function blobFile(blob: Blob, name: string): FileHandle {
  return {
    name,
    size: blob.size,
    async read(offset, length) {
      checkRange(name, blob.size, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}
