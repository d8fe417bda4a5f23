import { isMaskgenError } from '@maskgen/core';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactSecrets, reportError } from '../src/cli-error.js';
import { checkOutputPath } from '../src/output-path.js';
import { writeAtomic } from '../src/png-file.js';
import { INPUT_LIMITS, readInput } from '../src/read-input.js';
import { CLI, useCliEnv } from './cli-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'maskgen-hostile-'));
const at = (p: string) => join(dir, p);
mkdirSync(at('folder'));
writeFileSync(at('file.png'), 'old');
execFileSync('mkfifo', [at('fifo.png')]);
symlinkSync('/dev/null', at('null-link.png'));
symlinkSync(at('folder'), at('folder-link.png'));
symlinkSync(at('nowhere.png'), at('dangling.png'));
mkdirSync(at('ro'));
chmodSync(at('ro'), 0o555);
const root = process.getuid?.() === 0;
const png = { flag: '-o', extensions: ['.png'] } as const;
const fails = async (p: Promise<unknown>, re: RegExp) => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, `expected a refusal matching ${re}`).toBeInstanceOf(Error);
  expect((e as Error).message).toMatch(re);
  expect(isMaskgenError(e) || (e as Error).name === 'UsageError').toBe(true);
};

describe('outputs: only regular files are written, never a device, FIFO, folder or symlink to one', () => {
  // One line per hostile destination; every refusal names the path and the fix.
  const cases: [string, RegExp][] = [
    [at('fifo.png'), /is a FIFO \(named pipe\); maskgen writes only regular files/],
    [at('null-link.png'), /is a character device; maskgen writes only regular files/],
    [at('folder-link.png'), /is a folder; expected a file name/],
    [at('folder'), /maskgen writes .png files/],
    [at('dangling.png'), /symbolic link to a missing target/],
    ['', /expected a file name, got ""/],
    [at('missing/out.png'), /folder ".*missing" does not exist; create it first/],
    [at('file.png/x.png'), /is not a folder/],
  ];
  for (const [path, re] of cases) it(`refuses ${JSON.stringify(path)}`, () => fails(checkOutputPath(path, png), re));
  // Root passes every permission check (CI runs as root): there the built CLI runs as nobody (uid/gid 65534).
  it('refuses a read-only folder, naming it', async () => {
    const re = /folder ".*ro" is not writable; choose another folder/;
    if (!root) return fails(checkOutputPath(at('ro/out.png'), png), re);
    chmodSync(dir, 0o755);
    const env = { ...process.env, HF_ENDPOINT: 'http://127.0.0.1:9', HF_HOME: at('hf-nobody') };
    const r = spawnSync(process.execPath, [CLI, 'generate', 'x', '-o', at('ro/out.png')], { uid: 65534, gid: 65534, encoding: 'utf8', env });
    expect(r.stderr).toMatch(re);
    expect(r.status).toBe(1);
    expect(existsSync(at('hf-nobody'))).toBe(false);
  });
  it('-o /dev/null stays a device (generic devices, checked without an extension)', async () => {
    await fails(checkOutputPath('/dev/null', { flag: '-o', extensions: [''] }), /is a character device/);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
  it('folders: an existing file or device is refused; a missing folder is fine only with create', async () => {
    await fails(checkOutputPath(at('file.png'), { flag: '-o', folder: true, create: true }), /exists and is a regular file, not a folder/);
    await fails(checkOutputPath('/dev/null', { flag: '-o', folder: true, create: true }), /is a character device, not a folder/);
    expect(await checkOutputPath(at('new-folder'), { flag: '-o', folder: true, create: true })).toBe(at('new-folder'));
  });
  it('writeAtomic never renames over something that turned into a FIFO after the check, and names the path on fs errors', async () => {
    await fails(writeAtomic(at('fifo.png'), new Uint8Array([1])), /is a FIFO/);
    expect(statSync(at('fifo.png')).isFIFO()).toBe(true);
    await fails(writeAtomic(at('missing/x.png'), new Uint8Array([1])), /cannot write ".*missing\/x.png": its folder does not exist/);
    await writeAtomic(at('file.png'), new Uint8Array([7]));
    expect([...readFileSync(at('file.png'))]).toEqual([7]);
  });
});

describe('inputs: every read has a size cap and a cancel', () => {
  it('/dev/zero is refused at the cap instead of filling memory', () =>
    fails(readInput('/dev/zero', 'image', 3 << 20), /larger than the 3 MiB limit for images/));
  it('a file over the cap is refused before it is read', async () => {
    writeFileSync(at('big.json'), new Uint8Array(2 << 20));
    await fails(readInput(at('big.json'), 'tokens file', 1 << 20), /INPUT_TOO_LARGE|larger than the 1 MiB limit/);
  });
  it('an aborted signal stops the read', () => fails(readInput('/dev/zero', 'image', INPUT_LIMITS.image, AbortSignal.abort()), /cancelled/));
  it('a folder and a missing file are named, with no stack', async () => {
    await fails(readInput(at('folder'), 'image', 10), /is a folder; expected a file|cannot read image/);
    await fails(readInput(at('nope.png'), 'image', 10), /cannot read image ".*nope.png": the file does not exist; check the name/);
  });
});

describe('errors: no stack without --debug, no secrets, one line', () => {
  const report = (e: unknown, debug = false) => {
    let s = '';
    reportError(e, (x) => (s += x), { debug });
    return s;
  };
  it('an unexpected error prints its message, not its stack, unless --debug', () => {
    const e = new Error('boom');
    expect(report(e)).not.toMatch(/\n\s+at /);
    expect(report(e, true)).toMatch(/\n\s+at /);
  });
  it.each([
    ['https://user:s3cret@hub.example/x', 'https://***@hub.example/x'],
    ['token hf_abcdefghijklmnop used', 'token hf_*** used'],
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer ***'],
  ])('redacts %s', (raw, want) => {
    expect(redactSecrets(raw)).toBe(want);
    expect(report(new Error(raw))).toContain(want);
  });
});

describe('the CLI end to end', () => {
  const cli = useCliEnv();
  it('a 100,000-character prompt gets a clear error and never reaches onnxruntime (no exit 139)', async () => {
    const r = await cli.run(['generate', 'x'.repeat(100_000), '-q']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/the command line is 1000\d\d characters; the limit is 20000 .*--prompts/);
    const p = await cli.run(['generate', 'y'.repeat(12_000), '-q'], { HF_ENDPOINT: 'http://127.0.0.1:9' });
    expect(p.status, p.stderr).toBe(1);
    expect(p.stderr).toMatch(/prompts\[0\]: 12000 characters exceeds the limit of 10000/);
  }, 60_000);
  it('outputs are checked before any model loads; export -o onto a file is refused; no stack traces', async () => {
    const env = { HF_ENDPOINT: 'http://127.0.0.1:9', HF_HOME: join(cli.work, 'hf-untouched') };
    writeFileSync(join(cli.work, 'taken'), 'x');
    for (const [args, re] of [
      [['generate', 'x', '-o', '/dev/null'], /maskgen writes .png files/],
      [['generate', 'x', '-o', ''], /expected a file name, got ""/],
      [['export', '-o', 'taken'], /"taken" exists and is a regular file, not a folder/],
      [['encode', '/dev/zero', '-o', 't.json'], /larger than the 256 MiB limit for images/],
      [['decode', 'missing.json'], /cannot read tokens file "missing.json": the file does not exist/],
    ] as const) {
      const r = await cli.run([...args], env);
      expect(r.status, r.stderr).not.toBe(0);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    }
    expect(existsSync(env.HF_HOME)).toBe(false);
  }, 120_000);
  it('credentials in HF_ENDPOINT are never printed', async () => {
    const r = await cli.run(['generate', 'x', '-q', '-o', 'cred.png'], { HF_ENDPOINT: 'http://alice:hunter2@127.0.0.1:9', HF_HOME: join(cli.work, 'hf-cred') });
    expect(r.status).not.toBe(0);
    expect(r.stderr).not.toMatch(/hunter2/);
  }, 60_000);
});
