import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockHub, fakeCommit, startMockHub } from '../src/index.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Uint8Array) => createHash('sha1').update(`blob ${b.byteLength}\0`).update(b).digest('hex');

describe('mock hub', () => {
  let root: string;
  let hub: MockHub;
  const config = new TextEncoder().encode('{"a":1}\n');
  const weights = new Uint8Array(5000).map((_, i) => (i * 7) & 255);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mock-hub-'));
    await mkdir(join(root, 'acme/tiny/sub'), { recursive: true });
    await writeFile(join(root, 'acme/tiny/config.json'), config);
    await writeFile(join(root, 'acme/tiny/model.safetensors'), weights);
    await writeFile(join(root, 'acme/tiny/sub/notes.txt'), 'hi');
    await writeFile(join(root, 'secret.txt'), 'do not serve');
    hub = await startMockHub({ root, repos: { 'golden/clip': { dir: root, files: { 'config.json': 'acme/tiny/config.json' } } } });
  });
  afterAll(async () => {
    await hub.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lists a repo as the hub API does: commit, sizes, git blob ids, LFS sha256; hub error codes for unknown repos and revisions', async () => {
    const r = await fetch(`${hub.url}/api/models/acme/tiny/revision/main?blobs=true`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { sha: string; siblings: { rfilename: string; size: number; blobId: string; lfs?: { sha256: string; size: number } }[] };
    expect(body.sha).toBe(fakeCommit('acme/tiny'));
    expect(body.siblings.map((s) => s.rfilename)).toEqual(['config.json', 'model.safetensors', 'sub/notes.txt']);
    expect(body.siblings[0]).toMatchObject({ size: config.byteLength, blobId: gitSha1(config) });
    expect(body.siblings[0].lfs).toBeUndefined();
    expect(body.siblings[1].lfs).toEqual({ sha256: sha256(weights), size: weights.byteLength, pointerSize: 134 });
    const mapped = (await (await fetch(`${hub.url}/api/models/golden/clip/revision/main`)).json()) as { siblings: { rfilename: string }[] };
    expect(mapped.siblings.map((s) => s.rfilename)).toEqual(['config.json']);
    const missing = await fetch(`${hub.url}/api/models/acme/none/revision/main`);
    expect([missing.status, missing.headers.get('x-error-code')]).toEqual([401, 'RepoNotFound']);
    const rev = await fetch(`${hub.url}/api/models/acme/tiny/revision/v9`);
    expect([rev.status, rev.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
  });

  it('serves small files directly with the git blob id as ETag and the commit', async () => {
    const r = await fetch(`${hub.url}/acme/tiny/resolve/main/config.json`, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe(`"${gitSha1(config)}"`);
    expect(r.headers.get('x-repo-commit')).toBe(fakeCommit('acme/tiny'));
    expect(r.headers.get('content-length')).toBe(String(config.byteLength));
    const g = await fetch(`${hub.url}/acme/tiny/resolve/${fakeCommit('acme/tiny')}/sub/notes.txt`);
    expect(await g.text()).toBe('hi');
  });

  it('redirects LFS files to a CDN origin with X-Linked-Etag/X-Linked-Size and serves ranges there', async () => {
    const r = await fetch(`${hub.url}/acme/tiny/resolve/main/model.safetensors`, { method: 'HEAD', redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('x-linked-etag')).toBe(`"${sha256(weights)}"`);
    expect(r.headers.get('x-linked-size')).toBe('5000');
    const location = r.headers.get('location')!;
    expect(new URL(location).origin).not.toBe(hub.url);
    const part = await fetch(location, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/5000');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(weights.subarray(10, 20));
    const bad = await fetch(location, { headers: { Range: 'bytes=6000-' } });
    expect(bad.status).toBe(416);
  });

  it('answers missing files, repos and revisions like the hub', async () => {
    const f = await fetch(`${hub.url}/acme/tiny/resolve/main/nope.json`, { method: 'HEAD' });
    expect([f.status, f.headers.get('x-error-code'), f.headers.get('x-repo-commit')]).toEqual([404, 'EntryNotFound', fakeCommit('acme/tiny')]);
    const r = await fetch(`${hub.url}/acme/none/resolve/main/config.json`);
    expect([r.status, r.headers.get('x-error-code')]).toEqual([401, 'RepoNotFound']);
    const v = await fetch(`${hub.url}/acme/tiny/resolve/v9/config.json`);
    expect([v.status, v.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
  });

  it('never serves files outside a repo folder', async () => {
    for (const p of [
      '/acme/tiny/resolve/main/..%2F..%2Fsecret.txt',
      '/acme/tiny/resolve/main/%2E%2E/%2E%2E/secret.txt',
      '/acme/..%2F/resolve/main/secret.txt',
    ]) {
      const r = await fetch(`${hub.url}${p}`);
      expect(r.status).not.toBe(200);
    }
  });

  it('serves explicitly mapped folders under any repo id', async () => {
    const r = await fetch(`${hub.url}/golden/clip/resolve/main/config.json`);
    expect(await r.text()).toBe('{"a":1}\n');
    expect((await fetch(`${hub.url}/golden/clip/resolve/main/model.safetensors`)).status).toBe(404);
  });

  it('injects status faults a given number of times, then recovers', async () => {
    hub.setFault({ fault: { kind: 'status', status: 503, retryAfter: 1 }, file: 'config.json', times: 2 });
    const url = `${hub.url}/acme/tiny/resolve/main/config.json`;
    const a = await fetch(url);
    expect([a.status, a.headers.get('retry-after')]).toEqual([503, '1']);
    expect((await fetch(url)).status).toBe(503);
    expect((await fetch(url)).status).toBe(200);
  });

  it('drops, corrupts and shortens bodies', async () => {
    const url = `${hub.url}/acme/tiny/resolve/main/model.safetensors`;
    hub.setFault({ fault: { kind: 'drop', afterBytes: 100 }, path: /^\/cdn\// });
    await expect(fetch(url).then((r) => r.arrayBuffer())).rejects.toThrow();
    hub.setFault({ fault: { kind: 'corrupt', at: 3 }, path: /^\/cdn\// });
    const c = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(c.byteLength).toBe(5000);
    expect(c[3]).toBe(weights[3] ^ 0xff);
    hub.setFault({ fault: { kind: 'wrong-length', delta: 10 }, path: /^\/cdn\// });
    expect((await (await fetch(url)).arrayBuffer()).byteLength).toBe(4990);
    hub.setFault({ fault: { kind: 'ignore-range' }, path: /^\/cdn\// });
    const full = await fetch(url, { headers: { Range: 'bytes=0-9' } });
    expect([full.status, (await full.arrayBuffer()).byteLength]).toEqual([200, 5000]);
  });

  it('stalls a body until the client gives up, and close() ends the stalled socket', async () => {
    hub.setFault({ fault: { kind: 'stall', afterBytes: 10 }, path: /^\/cdn\// });
    const ac = new AbortController();
    const r = await fetch(`${hub.url}/acme/tiny/resolve/main/model.safetensors`, { signal: ac.signal });
    const reader = r.body!.getReader();
    const first = await reader.read();
    expect(first.value!.byteLength).toBe(10);
    const timer = setTimeout(() => ac.abort(), 150);
    await expect(reader.read()).rejects.toThrow();
    clearTimeout(timer);
  });

  it('records requests with their range, status and whether they hit the CDN', async () => {
    const before = hub.requests.length;
    await fetch(`${hub.url}/acme/tiny/resolve/main/model.safetensors`, { headers: { Range: 'bytes=0-0' } });
    const seen = hub.requests.slice(before);
    expect(seen.map((r) => [r.cdn, r.status, r.range])).toEqual([
      [false, 302, 'bytes=0-0'],
      [true, 206, 'bytes=0-0'],
    ]);
    expect(existsSync(root)).toBe(true);
  });

  it('moveBranch: main answers the new commit, the old one is still served by its hash, other revisions stay 404', async () => {
    const old = hub.commitOf('golden/clip');
    const next = 'c'.repeat(40);
    hub.moveBranch('golden/clip', next);
    expect(hub.commitOf('golden/clip')).toBe(next);
    const head = (rev: string) => fetch(`${hub.url}/golden/clip/resolve/${rev}/config.json`, { method: 'HEAD' });
    expect((await head('main')).headers.get('x-repo-commit')).toBe(next);
    expect((await head(old)).headers.get('x-repo-commit')).toBe(old);
    expect((await head('d'.repeat(40))).status).toBe(404);
    const api = (await (await fetch(`${hub.url}/api/models/golden/clip/revision/main`)).json()) as { sha: string };
    expect(api.sha).toBe(next);
    expect(() => hub.moveBranch('acme/tiny', next)).toThrow(/not one of the repos given/);
  });
});
