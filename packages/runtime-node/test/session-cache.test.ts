import { spawn } from 'node:child_process';
import { GraphBuilder, type Runtime, SafetensorsFile, linearFrom, tensor } from '@maskgen/core';
import { maxAbsDiff, opConformance, refLinear, sessionConformance, testData, weightsFixture } from '@maskgen/test-utils';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, readdirSync, truncateSync, utimesSync, writeFileSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskSessionCache, nodeFile, nodeRuntime, sessionCacheDir, sessionCacheKey } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'maskgen-session-cache-'));
let n = 0;
const files = async (bytes: Uint8Array, name: string) => {
  const p = join(work, `${n++}-${name}`);
  writeFileSync(p, bytes);
  return nodeFile(p);
};

/** A two-layer MLP over a real safetensors file (large enough for ORT to pre-pack its MatMul weights). */
async function mlp(name = 'mlp.safetensors', seed = 7) {
  const { st, data } = await weightsFixture(files, { 'a.weight': [512, 640], 'a.bias': [512] }, name, seed);
  const build = (graphName = 'cached_mlp') => {
    const g = new GraphBuilder(graphName);
    g.output(linearFrom(g, st, 'a', g.input('x', 'float32', ['b', 640])), 'y');
    return g.build();
  };
  return { st, data, build };
}

const x = testData(3 * 640, 11);
const run = async (rt: Runtime, model: ReturnType<Awaited<ReturnType<typeof mlp>>['build']>) => {
  const s = await rt.createSession(model);
  const { y } = await s.run({ x: tensor('float32', [3, 640], x) });
  await s.dispose();
  return y.data as Float32Array;
};
const entries = (dir: string) => readdirSync(dir).filter((f) => /^[0-9a-f]{64}$/.test(f));

// The op and session conformance suites again with every session going through the cache: misses
// that write entries, then hits that load them. (The 2.4 GB large-file case runs without the cache in
// conformance.test.ts: through it, it would write a 2.4 GB entry per run.)
describe('with the session cache', () => {
  const dir = join(work, 'conformance-cache');
  const count: Record<string, number> = {};
  // One file per content, written once: the second pass then reads the same files (same identities) and hits.
  const stable = async (bytes: Uint8Array, name: string) => {
    const p = join(work, `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}-${name}`);
    if (!existsSync(p)) writeFileSync(p, bytes);
    return nodeFile(p);
  };
  for (const pass of ['writing entries', 'loading entries']) {
    describe(`runtime conformance: runtime-node (session cache, ${pass})`, () => {
      opConformance(() => nodeRuntime({ threads: 1, sessionCache: dir }), stable);
      sessionConformance(() => nodeRuntime({ threads: 1, sessionCache: dir }), stable);
    });
    it(`has the entries after ${pass}`, () => {
      count[pass] = entries(dir).length;
      expect(count[pass]).toBeGreaterThan(10);
    });
  }
  it('added no entry in the second pass: every session was a hit', () => expect(count['loading entries']).toBe(count['writing entries']));
});

describe('session cache', () => {
  it('stores one entry per model, and a hit gives the same results as no cache', async () => {
    const dir = join(work, 'hits');
    const m = await mlp();
    const plain = await run(nodeRuntime({ threads: 1 }), m.build());
    const first = await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build());
    expect(entries(dir)).toHaveLength(1);
    const [key] = entries(dir);
    const stamp = statSync(join(dir, key, 'manifest.json')).mtimeMs;
    const hit = await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build());
    expect(entries(dir)).toEqual([key]);
    expect(statSync(join(dir, key, 'manifest.json')).mtimeMs).toBe(stamp); // loaded, not rewritten
    expect(Array.from(first)).toEqual(Array.from(plain));
    expect(Array.from(hit)).toEqual(Array.from(plain));
    expect(maxAbsDiff(hit, refLinear(x, 3, 640, m.data['a.weight'], 512, m.data['a.bias']))).toBeLessThan(1e-5);
  });

  it('never caches a model whose weights were allowed to be non-finite, so a strict run cannot load them unchecked', async () => {
    const dir = join(work, 'nonfinite');
    const m = await mlp('nan.safetensors', 9);
    // The same file with one NaN weight, written in place of a copy: a strict open refuses it on the scan.
    const bytes = new Uint8Array(readFileSync(m.st.file.localPath!));
    const view = new DataView(bytes.buffer);
    const dataStart = 8 + Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart)));
    view.setFloat32(dataStart + header['a.weight'].data_offsets[0], Number.NaN, true);
    const nanFile = await files(bytes, 'nan.safetensors');
    const warnings: string[] = [];
    const lax = await SafetensorsFile.open(nanFile, { allowNonFinite: true, onWarning: (w) => warnings.push(String(w)) });
    const build = (st: SafetensorsFile) => {
      const g = new GraphBuilder('cached_mlp');
      g.output(linearFrom(g, st, 'a', g.input('x', 'float32', ['b', 640])), 'y');
      return g.build();
    };
    const laxModel = build(lax);
    expect(laxModel.nonFiniteAllowed).toBe(true);
    expect((await run(nodeRuntime({ threads: 1, sessionCache: dir }), laxModel)).some(Number.isNaN)).toBe(true);
    expect(warnings.join()).toMatch(/a\.weight/);
    expect(existsSync(dir) ? entries(dir) : []).toEqual([]);
    const strict = build(await SafetensorsFile.open(nanFile));
    expect(strict.nonFiniteAllowed).toBe(false);
    await expect(run(nodeRuntime({ threads: 1, sessionCache: dir }), strict)).rejects.toMatchObject({ code: 'NON_FINITE' });
  });

  it('changes the key when any part changes: graph, weight file, ORT version, threads, options', async () => {
    const m = await mlp('key.safetensors');
    const ctx = { ortVersion: '1.30.0', options: { providers: ['cpu'], level: 'all', threads: 1, prepack: true } };
    const base = await sessionCacheKey(m.build(), ctx);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await sessionCacheKey(m.build(), ctx)).toBe(base);
    const keys = [
      await sessionCacheKey(m.build('other_name'), ctx),
      await sessionCacheKey(m.build(), { ...ctx, ortVersion: '1.31.0' }),
      await sessionCacheKey(m.build(), { ...ctx, options: { ...ctx.options, threads: 2 } }),
      await sessionCacheKey(m.build(), { ...ctx, options: { ...ctx.options, level: 'basic' } }),
      await sessionCacheKey(m.build(), { ...ctx, options: { ...ctx.options, prepack: false } }),
    ];
    // The weight file rewritten in place (same size, new mtime) is another key too.
    const path = m.st.file.localPath!;
    const t = statSync(path).mtime;
    utimesSync(path, t, new Date(t.getTime() + 5000));
    keys.push(await sessionCacheKey(m.build(), ctx));
    expect(new Set([base, ...keys]).size).toBe(keys.length + 1);
  });

  it('keys int8 graphs on their float32 sources, and never caches files it cannot identify', async () => {
    const m = await mlp('int8.safetensors');
    const ctx = { ortVersion: '1.30.0', options: {} };
    const g = new GraphBuilder('int8_mlp', { precision: 'int8' });
    g.output(linearFrom(g, m.st, 'a', g.input('x', 'float32', ['b', 640])), 'y');
    const int8 = g.build();
    expect(int8.externalData.some((e) => e.file.derivedFrom)).toBe(true);
    const key = await sessionCacheKey(int8, ctx);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(await sessionCacheKey(m.build(), ctx));
    const mem = await weightsFixture(
      async (b, name) => ({ ...(await files(b, name)), localPath: undefined }),
      { 'a.weight': [512, 640], 'a.bias': [512] },
      'nopath.safetensors',
    );
    const gm = new GraphBuilder('no_identity');
    gm.output(linearFrom(gm, mem.st, 'a', gm.input('x', 'float32', ['b', 640])), 'y');
    expect(await sessionCacheKey(gm.build(), ctx)).toBeUndefined();
  });

  for (const damage of ['truncated weights', 'truncated graph', 'flipped bytes', 'no manifest', 'garbage manifest'] as const) {
    it(`rebuilds an entry with ${damage} instead of loading it`, async () => {
      const dir = join(work, `damage-${damage.replace(/ /g, '-')}`);
      const m = await mlp(`${damage}.safetensors`);
      const plain = await run(nodeRuntime({ threads: 1 }), m.build());
      await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build());
      const [key] = entries(dir);
      const e = join(dir, key);
      const weights = join(e, 'weights.bin');
      if (damage === 'truncated weights') truncateSync(weights, Math.floor(statSync(weights).size / 2));
      if (damage === 'truncated graph') truncateSync(join(e, 'model.onnx'), 100);
      if (damage === 'flipped bytes') {
        const b = readFileSync(weights);
        for (let i = 0; i < b.length; i += 7) b[i] ^= 0x5a;
        writeFileSync(weights, b);
      }
      if (damage === 'no manifest') truncateSync(join(e, 'manifest.json'), 0);
      if (damage === 'garbage manifest') writeFileSync(join(e, 'manifest.json'), '{"format":1,"files":');
      const again = await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build());
      expect(Array.from(again)).toEqual(Array.from(plain));
      // Rebuilt whole: the manifest matches the files again, so the next process hits.
      const cache = new DiskSessionCache(dir);
      expect(await cache.lookup(key)).toBe(join(e, 'model.onnx'));
    });
  }

  it('never loads an entry again once a process died trying (trial marker without ok), and still runs', async () => {
    const dir = join(work, 'crashed');
    const m = await mlp('crashed.safetensors');
    const plain = await run(nodeRuntime({ threads: 1 }), m.build());
    await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build()); // writes the entry
    await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build()); // first load: trial, then ok
    const [key] = entries(dir);
    expect(readdirSync(join(dir, key))).toEqual(expect.arrayContaining(['trial', 'ok']));
    // What a process that segfaulted in its first load leaves: a trial and no ok.
    rmSync(join(dir, key, 'ok'));
    const again = await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build());
    expect(Array.from(again)).toEqual(Array.from(plain));
    expect(readdirSync(join(dir, key))).toEqual(['refused']);
    const listed = await new DiskSessionCache(dir).list();
    expect(listed).toMatchObject([{ id: key, complete: false, model: expect.stringMatching(/refused/) }]);
    // Refused for good: later processes build without the cache and write nothing.
    expect(Array.from(await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build()))).toEqual(Array.from(plain));
    expect(readdirSync(join(dir, key))).toEqual(['refused']);
  });

  it('leaves an entry alone while another live process is on its first load (workers share one cache)', async () => {
    const dir = join(work, 'shared');
    const m = await mlp('shared.safetensors');
    const plain = await run(nodeRuntime({ threads: 1 }), m.build());
    await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build()); // writes the entry
    const [key] = entries(dir);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, key, 'trial'), String(other.pid)); // another worker, loading it now
      expect(Array.from(await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build()))).toEqual(Array.from(plain));
      expect(readdirSync(join(dir, key))).toEqual(expect.arrayContaining(['trial', 'manifest.json']));
      expect(readdirSync(join(dir, key))).not.toContain('refused');
    } finally {
      other.kill('SIGKILL');
    }
    await new Promise((r) => other.once('exit', r));
    // That process died on it: now the entry is refused.
    expect(Array.from(await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build()))).toEqual(Array.from(plain));
    expect(readdirSync(join(dir, key))).toEqual(['refused']);
  });

  it('lists entries (and unfinished writes) and removes them by id prefix', async () => {
    const dir = join(work, 'list');
    const m = await mlp('list.safetensors');
    await run(nodeRuntime({ threads: 1, sessionCache: dir }), m.build());
    const cache = new DiskSessionCache(dir);
    const tmp = await cache.begin('f'.repeat(64)); // what a killed writer leaves
    writeFileSync(join(tmp, 'model.onnx'), 'partial');
    const listed = await cache.list();
    const done = listed.find((e) => e.complete)!;
    expect(done).toMatchObject({ model: 'cached_mlp', sources: [m.st.file.localPath] });
    expect(done.bytes).toBeGreaterThan(512 * 640 * 4);
    expect(listed.filter((e) => !e.complete)).toHaveLength(1);
    expect(await cache.remove([done.id.slice(0, 12)])).toBe(done.bytes);
    await cache.remove([listed.find((e) => !e.complete)!.id]);
    expect(await cache.list()).toEqual([]);
    await expect(cache.remove(['abcdef'])).rejects.toThrow(/matches 0 entries/);
  });

  it('is off unless asked for; MASKGEN_SESSION_CACHE names the folder and 0/off turns it off', () => {
    expect(sessionCacheDir(undefined, {})).toBeUndefined();
    expect(sessionCacheDir(undefined, { MASKGEN_SESSION_CACHE: '/c' })).toBe('/c');
    expect(sessionCacheDir(undefined, { MASKGEN_SESSION_CACHE: 'off' })).toBeUndefined();
    expect(sessionCacheDir(false, { MASKGEN_SESSION_CACHE: '/c' })).toBeUndefined();
    expect(sessionCacheDir('/d', { MASKGEN_SESSION_CACHE: '0' })).toBe('/d');
    expect(nodeRuntime({ sessionCache: false }).sessionCache).toBeUndefined();
    expect(nodeRuntime({ sessionCache: join(work, 'x') }).sessionCache?.location).toBe(join(work, 'x'));
  });
});
