import { type Hash, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * Verifies downloaded bytes against what the hub announced: LFS ETags are the content's sha256,
 * small files' ETags are git blob ids (sha1 of "blob <size>\0" + content). Unknown ETag forms (some
 * mirrors) fall back to the size check alone.
 */
export class ContentCheck {
  private hash: Hash | undefined;
  readonly kind: 'sha256' | 'git-sha1' | 'size-only';

  constructor(private readonly etag: string, private readonly size: number, lfs: boolean) {
    this.kind = /^[0-9a-f]{64}$/.test(etag) ? 'sha256' : !lfs && /^[0-9a-f]{40}$/.test(etag) ? 'git-sha1' : 'size-only';
    this.reset();
  }

  /** Starts over (the server answered a resume with the whole body). */
  reset(): void {
    if (this.kind === 'sha256') this.hash = createHash('sha256');
    else if (this.kind === 'git-sha1') this.hash = createHash('sha1').update(`blob ${this.size}\0`);
    else this.hash = undefined;
  }

  update(chunk: Uint8Array): void {
    this.hash?.update(chunk);
  }

  /** Feeds the first `length` bytes of a partial file (a resumed download) through the hash. */
  async updateFromFile(path: string, length: number): Promise<void> {
    if (!this.hash || length === 0) return;
    const fh = await open(path, 'r');
    try {
      const buf = new Uint8Array(Math.min(length, 4 << 20));
      for (let pos = 0; pos < length; ) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.byteLength, length - pos), pos);
        if (bytesRead === 0) throw new Error(`partial download ${path} shrank while being read`);
        this.hash.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
    } finally {
      await fh.close();
    }
  }

  /** The computed digest, or undefined for size-only checks. */
  digest(): string | undefined {
    return this.hash?.digest('hex');
  }

  /** Compares once, at the end; returns a description of the mismatch or undefined when it matches. */
  mismatch(): string | undefined {
    const d = this.digest();
    if (d === undefined || d === this.etag) return undefined;
    return `${this.kind} is ${d}, the hub announced ${this.etag}`;
  }
}
