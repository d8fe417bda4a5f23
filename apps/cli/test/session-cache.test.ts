import { readFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEnv } from './cli-harness.js';

const cli = useCliEnv();
const GENERATOR = 'turkeyju/generator_maskgen_vq_xl';

interface Listing {
  repos: { repoId: string }[];
  sessions: { dir: string; entries: { id: string; model: string; bytes: number; complete: boolean; sources: string[] }[] };
}
const ls = async () => JSON.parse((await cli.run(['cache', 'ls', '--json'])).stdout) as Listing;

describe('built-session cache (spawned CLI, mock hub)', () => {
  it('generate keeps sessions beside the hub cache; images equal those without it; ls lists and rm removes them', async () => {
    const args = ['generate', 'a lighthouse at dusk', '--seed', '7', '--steps', '4', '-q'];
    const plain = await cli.run([...args, '-o', 'plain.png'], { MASKGEN_SESSION_CACHE: '0' });
    expect(plain.status, plain.stderr).toBe(0);
    expect((await ls()).sessions.entries, 'MASKGEN_SESSION_CACHE=0 writes nothing').toEqual([]);

    const first = await cli.run([...args, '-o', 'first.png']);
    expect(first.status, first.stderr).toBe(0);
    const { sessions } = await ls();
    expect(sessions.dir).toBe(join(cli.work, 'hf', 'hub', '.maskgen', 'sessions', 'onnxruntime-node'));
    // CLIP, the generator and the TA-TiTok decoder: each one entry, whole.
    expect(sessions.entries.length).toBe(3);
    expect(sessions.entries.every((e) => e.complete && e.bytes > 0)).toBe(true);
    const stamps = sessions.entries.map((e) => statSync(join(sessions.dir, e.id, 'manifest.json')).mtimeMs);

    const hit = await cli.run([...args, '-o', 'hit.png']);
    expect(hit.status, hit.stderr).toBe(0);
    for (const f of ['first.png', 'hit.png']) expect(readFileSync(join(cli.work, f)).equals(readFileSync(join(cli.work, 'plain.png'))), f).toBe(true);
    const again = (await ls()).sessions.entries;
    expect(
      again.map((e) => statSync(join(sessions.dir, e.id, 'manifest.json')).mtimeMs),
      'hits load entries, never rewrite them',
    ).toEqual(stamps);

    // A truncated entry is rebuilt, and the image is still the same.
    const victim = again[0];
    const graph = join(sessions.dir, victim.id, 'model.onnx');
    const size = statSync(graph).size;
    truncateSync(graph, 100);
    const rebuilt = await cli.run([...args, '-o', 'rebuilt.png']);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(readFileSync(join(cli.work, 'rebuilt.png')).equals(readFileSync(join(cli.work, 'plain.png')))).toBe(true);
    expect(statSync(graph).size).toBe(size);

    // rm by id prefix, then by repo (its sessions go with it), then --all.
    const one = await cli.run(['cache', 'rm', victim.id.slice(0, 10)]);
    expect(one.status, one.stderr).toBe(0);
    expect((await ls()).sessions.entries.map((e) => e.id)).not.toContain(victim.id);
    const generator = (await ls()).sessions.entries.find((e) => e.sources.some((s) => s.includes('models--turkeyju--generator_maskgen_vq_xl')));
    if (generator) {
      expect((await cli.run(['cache', 'rm', GENERATOR])).status).toBe(0);
      expect((await ls()).sessions.entries.map((e) => e.id)).not.toContain(generator.id);
    }
    const all = await cli.run(['cache', 'rm', '--all']);
    expect(all.status, all.stderr).toBe(0);
    const empty = await ls();
    expect(empty.sessions.entries).toEqual([]);
    expect(empty.repos).toEqual([]);
    const bad = await cli.run(['cache', 'rm', 'abcdef0123']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not a repo or session id/);
  }, 300_000);
});
