import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEnv } from './cli-harness.js';

const cli = useCliEnv();
const CLIP = 'openai/clip-vit-large-patch14-336';

/** Every regular file under a folder (symlinks not followed: snapshots point into blobs/). */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('offline after one online run, and cache ls / rm (spawned CLI, mock hub)', () => {
  it('HF_HUB_OFFLINE=1 generate writes the same image with no request; ls counts every byte; rm removes every byte', async () => {
    const args = ['generate', 'a lighthouse at dusk', '--seed', '7', '--steps', '4', '-q'];
    const online = await cli.run([...args, '-o', 'online.png']);
    expect(online.status, online.stderr).toBe(0);

    const seen = cli.hub.requests.length;
    const offline = await cli.run([...args, '-o', 'offline.png'], { HF_HUB_OFFLINE: '1' });
    expect(offline.status, offline.stderr).toBe(0);
    expect(cli.hub.requests.length - seen).toBe(0);
    expect(readFileSync(join(cli.work, 'offline.png')).equals(readFileSync(join(cli.work, 'online.png')))).toBe(true);

    const again = await cli.run([...args, '-o', 'again.png']);
    expect(again.status, again.stderr).toBe(0);
    expect(cli.hub.requests.length - seen, 'an online run with a full cache revalidated files').toBe(0);

    const hubDir = join(cli.work, 'hf', 'hub');
    const ls = await cli.run(['cache', 'ls', '--json']);
    expect(ls.status, ls.stderr).toBe(0);
    const { repos } = JSON.parse(ls.stdout) as { repos: { repoId: string; bytes: number; rangeBytes: number; fileBytes: number }[] };
    const clip = repos.find((r) => r.repoId === CLIP)!;
    expect(clip.rangeBytes, 'CLIP is read by range: its stored bytes must be counted').toBeGreaterThan(0);
    const rangeDir = join(hubDir, '.maskgen', 'ranges', 'models--openai--clip-vit-large-patch14-336');
    const onDisk = files(join(hubDir, 'models--openai--clip-vit-large-patch14-336')).concat(files(rangeDir));
    const nonSparse = onDisk.filter((p) => !p.endsWith('.data')).reduce((s, p) => s + statSync(p).size, 0);
    expect(clip.bytes).toBe(nonSparse + clip.rangeBytes);
    expect(repos.length).toBeGreaterThanOrEqual(3);

    const rm = await cli.run(['cache', 'rm', CLIP]);
    expect(rm.status, rm.stderr).toBe(0);
    expect(existsSync(join(hubDir, 'models--openai--clip-vit-large-patch14-336'))).toBe(false);
    expect(existsSync(rangeDir)).toBe(false);
    const after = JSON.parse((await cli.run(['cache', 'ls', '--json'])).stdout) as { repos: { repoId: string }[] };
    expect(after.repos.map((r) => r.repoId)).not.toContain(CLIP);
    const gone = await cli.run([...args, '-o', 'gone.png'], { HF_HUB_OFFLINE: '1' });
    expect(gone.status).not.toBe(0);
    expect(gone.stderr).toMatch(/offline/i);
  }, 240_000);
});
