import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubSource } from '../src/node/index.js';
import { type HubFixture, REPO, gitSha1, hubFixture, sameBytes, sha256 } from './hub-fixtures.js';

const NO_EXIST = Symbol('cached no-exist');

/**
 * huggingface_hub's `try_to_load_from_cache` (what `hf_hub_download` does with HF_HUB_OFFLINE=1),
 * restated from its documented rules so no Python is needed: refs/<revision> holds the commit
 * (read verbatim, so a trailing newline would break it), `.no_exist/<commit>/<file>` marks a known
 * miss, and the file must be a regular file (through its symlink) at snapshots/<commit>/<file>.
 */
function pythonTryToLoadFromCache(cacheDir: string, repoId: string, filename: string, revision = 'main'): string | typeof NO_EXIST | undefined {
  const repoCache = join(cacheDir, `models--${repoId.replace('/', '--')}`);
  if (!existsSync(repoCache)) return undefined;
  const refFile = join(repoCache, 'refs', revision);
  if (existsSync(refFile) && statSync(refFile).isFile()) revision = readFileSync(refFile, 'utf8');
  if (existsSync(join(repoCache, '.no_exist', revision, filename))) return NO_EXIST;
  const snapshots = join(repoCache, 'snapshots');
  if (!existsSync(snapshots) || !readdirSync(snapshots).includes(revision)) return undefined;
  const file = join(snapshots, revision, filename);
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

describe('Python huggingface_hub finds what we write (HF_HUB_OFFLINE=1 lookup rules)', () => {
  let fx: HubFixture;
  beforeEach(async () => {
    fx = await hubFixture();
  });
  afterEach(() => fx.close());

  it('refs, snapshots, ETag-named blobs, relative symlinks and .no_exist as huggingface_hub writes them', async () => {
    const src = hubSource(REPO, { endpoint: fx.hub.url, cacheDir: fx.cacheDir, env: {} });
    for (const file of Object.keys(fx.files)) await src.open(file);
    expect(await src.exists('never-there.json')).toBe(false);
    const commit = fx.hub.commitOf(REPO);
    expect(readFileSync(join(fx.cacheDir, 'models--acme--tiny-model', 'refs', 'main'), 'utf8')).toBe(commit);
    for (const [file, bytes] of Object.entries(fx.files)) {
      const found = pythonTryToLoadFromCache(fx.cacheDir, REPO, file);
      expect(typeof found, file).toBe('string');
      expect(sameBytes(readFileSync(found as string), bytes), file).toBe(true);
      const link = readlinkSync(found as string);
      expect(isAbsolute(link), `${file} → ${link}`).toBe(false);
      const blob = link.split('/').at(-1)!;
      expect(link).toBe(`${'../'.repeat(file.split('/').length + 1)}blobs/${blob}`);
      expect([sha256(bytes), gitSha1(bytes)]).toContain(blob);
      expect(blob, `${file}: LFS files are named by sha256, others by git blob id`).toBe(file.endsWith('.safetensors') ? sha256(bytes) : gitSha1(bytes));
      // Pinned to the commit, as `revision=<sha>` in Python.
      expect(pythonTryToLoadFromCache(fx.cacheDir, REPO, file, commit)).toBe(found);
    }
    expect(pythonTryToLoadFromCache(fx.cacheDir, REPO, 'never-there.json')).toBe(NO_EXIST);
    const leftovers = readdirSync(join(fx.cacheDir, 'models--acme--tiny-model', 'blobs')).filter((n) => !/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(n));
    expect(leftovers, 'temp or partial files left among the blobs').toEqual([]);
  });
});
