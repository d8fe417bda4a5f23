import { GOLDEN_IDS } from '@maskgen/mock-hub';
import { type TestRedis, startRedisServer } from '@maskgen/test-utils';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCliEnv } from './cli-harness.js';

const cli = useCliEnv();
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
  writeFileSync(join(cli.work, 'p2.txt'), 'a pinned fox\na pinned owl\n');
  mkdirSync(join(cli.work, 'out'));
});
afterAll(() => redis?.close());

const GEN = GOLDEN_IDS.vqGenerator;
const status = async (name: string) => {
  const r = await cli.run(['queue', 'status', '--queue', redis.url, '--name', name, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('maskgen batch: what it prints, what it pins, drain', () => {
  it('prints new / already done / pending in plain text, and records every hub model at the commit main points to', async () => {
    const q = ['--queue', redis.url, '--name', 'rev'];
    const first = await cli.run(['batch', 'p2.txt', ...q, '-o', 'out', '--seed', '1', '--steps', '4']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/^2 images from 2 prompts \(seed 1\) → queue "rev" at redis:\/\/127\.0\.0\.1:\d+\/0: 2 new, 0 already done, 0 pending\n$/);
    const again = await cli.run(['batch', 'p2.txt', ...q, '-o', 'out', '--seed', '1', '--steps', '4']);
    expect(again.stderr).toMatch(/: 0 new, 0 already done, 2 pending\n$/);
    expect((await status('rev')).models).toEqual({
      generator: `${GEN}@${cli.hub.commitOf(GEN)}`,
      tokenizer: `${GOLDEN_IDS.vqTokenizer}@${cli.hub.commitOf(GOLDEN_IDS.vqTokenizer)}`,
      textEncoder: `${GOLDEN_IDS.clip}@${cli.hub.commitOf(GOLDEN_IDS.clip)}`,
      precision: 'float32',
    });
  }, 60_000);

  it('main moves between batch and worker: a worker whose cache resolves main to the new commit refuses, naming both; the producer too; a worker without model flags loads the queued commit', async () => {
    const q = ['--queue', redis.url, '--name', 'rev'];
    const queued = cli.hub.commitOf(GEN);
    const moved = '0123456789abcdef0123456789abcdef01234567';
    cli.hub.moveBranch(GEN, moved);
    // Another machine (its own, empty HF cache) started with --model: main is now `moved` there.
    const other = await cli.run(['worker', ...q, '-o', 'out', '--model', GEN, '-q'], { HF_HOME: join(cli.work, 'hf-other') });
    expect(other.status, other.stderr).toBe(1);
    expect(other.stderr).toContain(`generator: job wants "${GEN}@${queued}", this worker loaded "${GEN}@${moved}"`);
    expect(other.stderr).not.toMatch(/tokenizer:|textEncoder:|\n\s+at /);
    expect((await status('rev')).counts).toMatchObject({ waiting: 2, active: 0, completed: 0, failed: 0 });
    // The producer, asked again now, resolves main to `moved`: the queue's jobs are for `queued`.
    const producer = await cli.run(['batch', 'p2.txt', ...q, '-o', 'out', '--seed', '1', '--steps', '4']);
    expect(producer.status).toBe(1);
    expect(producer.stderr).toContain(`generator: job wants "${GEN}@${moved}", the queue has "${GEN}@${queued}"`);
    // A worker without model flags loads the queue's commits (the hub still serves the old one by its hash).
    const hf = join(cli.work, 'hf-pinned');
    const w = cli.start(['worker', ...q, '-o', 'out'], { HF_HOME: hf });
    let err = '';
    w.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise((r) => w.on('exit', r));
    for (let i = 0; i < 600 && (err.match(/^wrote /gm) ?? []).length < 2 && w.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    w.kill('SIGTERM');
    expect(await exited, err).toBe(0);
    expect(readdirSync(join(cli.work, 'out')).filter((f) => f.endsWith('.png'))).toEqual(['0001-a-pinned-fox.png', '0002-a-pinned-owl.png']);
    const snapshots = join(hf, 'hub', `models--${GEN.replace('/', '--')}`, 'snapshots');
    expect(readdirSync(snapshots)).toEqual([queued]);
    expect(existsSync(join(snapshots, moved))).toBe(false);
  }, 180_000);

  it('queue drain (without --all) removes the jobs not started and keeps the queue', async () => {
    writeFileSync(join(cli.work, 'd2.txt'), 'a drained newt\na drained vole\n');
    const q = ['--queue', redis.url, '--name', 'drain'];
    const b = await cli.run(['batch', 'd2.txt', ...q, '-o', 'out', '--seed', '3', '--json']);
    expect(JSON.parse(b.stdout)).toMatchObject({ added: 2 });
    expect((await status('drain')).counts).toMatchObject({ waiting: 2 });
    const d = await cli.run(['queue', 'drain', ...q, '--json']);
    expect(d.status, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toEqual({ removed: 2 });
    const after = await status('drain');
    expect(after.counts).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0 });
    expect(after.models.generator).toMatch(new RegExp(`^${GEN}@[0-9a-f]{40}$`));
    const plain = await cli.run(['queue', 'drain', ...q]);
    expect(plain.stdout).toBe('0 jobs not yet started removed; running jobs finish\n');
  }, 60_000);
});
