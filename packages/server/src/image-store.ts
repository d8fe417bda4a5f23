import { randomUUID } from 'node:crypto';

/** A PNG kept for `response_format: "url"`. */
interface Stored {
  png: Uint8Array;
  expires: number;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Images served back by URL, held in memory only (bounded in count and age): a request names an
 * image by a random UUID that is looked up in a Map, so no request path ever reaches the file system.
 */
export class ImageStore {
  private readonly images = new Map<string, Stored>();

  constructor(
    readonly maxImages: number,
    readonly ttlMs: number,
  ) {}

  /** Keeps `png` and returns its id; the oldest image goes when the store is full. */
  put(png: Uint8Array): string {
    this.evict();
    while (this.images.size >= this.maxImages) this.images.delete(this.images.keys().next().value as string);
    const id = randomUUID();
    this.images.set(id, { png, expires: Date.now() + this.ttlMs });
    return id;
  }

  /** The PNG for a well-formed, live id; undefined for anything else. */
  get(id: string): Uint8Array | undefined {
    if (!ID.test(id)) return undefined;
    this.evict();
    return this.images.get(id)?.png;
  }

  get size(): number {
    return this.images.size;
  }

  private evict(): void {
    const now = Date.now();
    for (const [id, s] of this.images) {
      if (s.expires > now) break;
      this.images.delete(id);
    }
  }
}
