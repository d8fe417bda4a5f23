import { Sha1 } from './sha1.js';
import { Sha256 } from './sha256.js';

/** An incremental hash; Node passes node:crypto's (native speed on gigabytes), browsers use the JS ones. */
export interface Hasher {
  update(chunk: Uint8Array): unknown;
  hex(): string;
}

/** Makes a hasher for an algorithm; injectable so the shared download path never imports node:crypto. */
export type HashFactory = (algorithm: 'sha256' | 'sha1') => Hasher;

/** The platform-neutral hashes (this package's incremental SHA-256 and SHA-1). */
export const jsHashes: HashFactory = (algorithm) => (algorithm === 'sha256' ? new Sha256() : new Sha1());

/**
 * Verifies downloaded bytes against what the hub announced: LFS ETags are the content's sha256,
 * small files' ETags are git blob ids (sha1 of "blob <size>\0" + content). Unknown ETag forms (some
 * mirrors, static hosts) fall back to the size check alone.
 */
export class ContentCheck {
  private hash: Hasher | undefined;
  readonly kind: 'sha256' | 'git-sha1' | 'size-only';

  constructor(
    private readonly etag: string | undefined,
    private readonly size: number,
    lfs: boolean,
    private readonly hashes: HashFactory = jsHashes,
  ) {
    this.kind = etag && /^[0-9a-f]{64}$/.test(etag) ? 'sha256' : etag && !lfs && /^[0-9a-f]{40}$/.test(etag) ? 'git-sha1' : 'size-only';
    this.reset();
  }

  /** Starts over (the server answered a resume with the whole body). */
  reset(): void {
    if (this.kind === 'sha256') this.hash = this.hashes('sha256');
    else if (this.kind === 'git-sha1') {
      this.hash = this.hashes('sha1');
      this.hash.update(new TextEncoder().encode(`blob ${this.size}\0`));
    } else this.hash = undefined;
  }

  update(chunk: Uint8Array): void {
    this.hash?.update(chunk);
  }

  /** Compares once, at the end; returns a description of the mismatch or undefined when it matches. */
  mismatch(): string | undefined {
    const d = this.hash?.hex();
    if (d === undefined || d === this.etag) return undefined;
    return `${this.kind} is ${d}, the hub announced ${this.etag}`;
  }
}
