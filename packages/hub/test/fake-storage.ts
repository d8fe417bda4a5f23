/** A quota shared by the fakes: writes beyond it fail with QuotaExceededError, as browsers do. */
export class Quota {
  used = 0;
  constructor(public limit = Number.POSITIVE_INFINITY) {}
  take(n: number): void {
    if (this.used + n > this.limit) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.used += n;
  }
}

/** An in-memory Cache Storage with the subset of the API the browser source uses. */
export class FakeCacheStorage {
  readonly caches = new Map<string, FakeCache>();
  constructor(readonly quota = new Quota()) {}
  async open(name: string): Promise<Cache> {
    let c = this.caches.get(name);
    if (!c) this.caches.set(name, (c = new FakeCache(this.quota)));
    return c as unknown as Cache;
  }
  asCacheStorage(): CacheStorage {
    return this as unknown as CacheStorage;
  }
}

class FakeCache {
  readonly entries = new Map<string, { body: Blob; headers: [string, string][] }>();
  constructor(private readonly quota: Quota) {}
  async match(req: RequestInfo): Promise<Response | undefined> {
    const e = this.entries.get(typeof req === 'string' ? req : req.url);
    return e ? new Response(e.body, { headers: e.headers }) : undefined;
  }
  async put(req: RequestInfo, res: Response): Promise<void> {
    const body = await res.blob();
    this.quota.take(body.size);
    const headers: [string, string][] = [];
    res.headers.forEach((v, k) => headers.push([k, v]));
    this.entries.set(typeof req === 'string' ? req : req.url, { body, headers });
  }
  async delete(req: RequestInfo): Promise<boolean> {
    return this.entries.delete(typeof req === 'string' ? req : req.url);
  }
  async keys(): Promise<Request[]> {
    return [...this.entries.keys()].map((u) => new Request(u));
  }
}

const notFound = (name: string) => new DOMException(`${name} not found`, 'NotFoundError');

/** An in-memory origin-private file system: directories, files, writable streams, quota. */
export class FakeDirectory {
  readonly kind = 'directory';
  readonly files = new Map<string, Blob>();
  readonly dirs = new Map<string, FakeDirectory>();
  constructor(readonly quota = new Quota()) {}
  async getDirectoryHandle(name: string, o?: { create?: boolean }): Promise<FakeDirectory> {
    let d = this.dirs.get(name);
    if (!d && !o?.create) throw notFound(name);
    if (!d) this.dirs.set(name, (d = new FakeDirectory(this.quota)));
    return d;
  }
  async getFileHandle(name: string, o?: { create?: boolean }) {
    if (!this.files.has(name)) {
      if (!o?.create) throw notFound(name);
      this.files.set(name, new Blob([]));
    }
    const files = this.files;
    const quota = this.quota;
    return {
      kind: 'file',
      async getFile() {
        const b = files.get(name);
        if (!b) throw notFound(name);
        return new File([b], name);
      },
      async createWritable() {
        // A swap copy, as browsers do: the file changes only on close, and abort leaves it as it was.
        let data = new Uint8Array(0);
        return {
          async write(chunk: Blob | string | { type: 'write'; position: number; data: Uint8Array }) {
            const params = typeof chunk === 'object' && 'type' in chunk ? (chunk as { position: number; data: Uint8Array }) : undefined;
            const at = params ? params.position : data.byteLength;
            const raw = params ? params.data : new Uint8Array(await (typeof chunk === 'string' ? new Blob([chunk]) : (chunk as Blob)).arrayBuffer());
            quota.take(raw.byteLength);
            const next = new Uint8Array(Math.max(data.byteLength, at + raw.byteLength));
            next.set(data);
            next.set(raw, at);
            data = next;
          },
          async truncate(n: number) {
            data = data.slice(0, n);
          },
          async close() {
            files.set(name, new Blob([data]));
          },
          async abort() {},
        };
      },
    };
  }
  async removeEntry(name: string): Promise<void> {
    if (!this.files.delete(name) && !this.dirs.delete(name)) throw notFound(name);
  }
  async *keys(): AsyncIterable<string> {
    yield* [...this.files.keys(), ...this.dirs.keys()];
  }
  root(): () => Promise<FileSystemDirectoryHandle> {
    return async () => this as unknown as FileSystemDirectoryHandle;
  }
}
