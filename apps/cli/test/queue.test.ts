import { openImageQueue } from '@maskgen/queue';
import { type TestRedis, startRedisServer } from '@maskgen/test-utils';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCliEnv } from './cli-harness.js';

const cli = useCliEnv();
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer({ persist: true });
});
afterAll(() => redis?.close());

const FAST = ['--steps', '4'];

/** A spawned `maskgen worker` whose stderr is collected; `waitFor` resolves when a pattern shows up. */
function startWorker(args: string[]) {
  const child = cli.start(['worker', '--queue', redis.url, ...args]);
  const w = { child, stderr: '', exited: false, exit: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
  void w.exit.then(() => (w.exited = true));
  child.stderr.on('data', (d: Buffer) => (w.stderr += d.toString()));
  child.stdout.on('data', () => undefined);
  return {
    ...w,
    get stderr() {
      return w.stderr;
    },
    /** Resolves once `ok(stderr)` holds (polled every 10 ms); rejects if the worker exits first. */
    waitFor: (ok: (stderr: string) => boolean, what: string, ms = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const t0 = Date.now();
        const tick = () =>
          ok(w.stderr) ? resolve() : w.exited || Date.now() - t0 > ms ? reject(new Error(`${w.exited ? 'worker exited' : 'timed out'} waiting for ${what}:\n${w.stderr}`)) : setTimeout(tick, 10);
        tick();
      }),
  };
}

async function until(what: string, ok: () => Promise<boolean>, ms = 180_000): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const counts = async (name?: string) => {
  const q = await openImageQueue({ url: redis.url, name });
  try {
    return await q.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  } finally {
    await q.close();
  }
};

describe('maskgen batch + worker on a real Redis (3 workers, kill -9, producer twice, Redis restarted)', () => {
  it('makes every image exactly once, byte-identical to a single-process --prompts run', async () => {
    const prompts = Array.from({ length: 60 }, (_, i) => `a tiny golden painting number ${i + 1} of a ${['fox', 'cat', 'owl'][i % 3]}`);
    writeFileSync(join(cli.work, 'p60.txt'), `# sixty prompts\n${prompts.join('\n')}\n`);
    for (const d of ['single', 'shared']) mkdirSync(join(cli.work, d));
    const single = await cli.run(['generate', '--prompts', 'p60.txt', '-o', 'single', '--seed', '5', ...FAST, '-q']);
    expect(single.status, single.stderr).toBe(0);

    const batch = ['batch', 'p60.txt', '--queue', redis.url, '-o', 'shared', '--seed', '5', ...FAST, '--json'];
    const first = await cli.run(batch);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ images: 60, added: 60, done: 0, pending: 0 });

    const workers = [0, 1, 2].map(() => startWorker(['-o', 'shared', '--stall-interval', '2000']));
    // kill -9 worker 0 the moment it has written its second image: that job is written but not yet acknowledged.
    const written = (s: string) => (s.match(/^wrote /gm) ?? []).length;
    await workers[0].waitFor((s) => written(s) >= 2, 'two images from worker 0');
    workers[0].child.kill('SIGKILL');
    expect(await workers[0].exit).toBe(null);

    // Redis dies (SIGKILL) mid-run and comes back with its append-only file: the workers reconnect and go on.
    await redis.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();

    // The producer again, mid-run: nothing new; every image done or pending.
    const second = await cli.run(batch);
    expect(second.status, second.stderr).toBe(0);
    const again = JSON.parse(second.stdout);
    expect(again.added).toBe(0);
    expect(again.done + again.pending).toBe(60);
    await until('60 completed jobs', async () => (await counts()).completed === 60);
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    for (const w of workers.slice(1)) expect(await w.exit, w.stderr).toBe(0);
    expect(workers.slice(1).some((w) => /Redis unreachable; reconnecting/.test(w.stderr))).toBe(true);

    // Every prompt once, byte-identical to the single-process run; results.jsonl without duplicates.
    const pngs = readdirSync(join(cli.work, 'shared')).filter((f) => f.endsWith('.png')).sort();
    expect(pngs).toEqual(readdirSync(join(cli.work, 'single')).filter((f) => f.endsWith('.png')).sort());
    expect(pngs).toHaveLength(60);
    for (const f of pngs) expect(readFileSync(join(cli.work, 'shared', f)).equals(readFileSync(join(cli.work, 'single', f))), f).toBe(true);
    expect(readdirSync(join(cli.work, 'shared')).filter((f) => f.includes('.partial'))).toEqual([]);
    const lines = readFileSync(join(cli.work, 'shared/results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(60);
    expect(new Set(lines.map((r) => r.file)).size).toBe(60);
    const reference = new Map(readFileSync(join(cli.work, 'single/results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.file, r]));
    for (const r of lines) expect({ ...r, job: undefined, worker: undefined }).toEqual({ ...reference.get(r.file), job: undefined, worker: undefined });

    // The killed worker's job was taken over by another worker after the stall interval.
    const q = await openImageQueue({ url: redis.url });
    try {
      const done = await q.queue.getCompleted(0, 99);
      expect(done.some((j) => j.stalledCounter > 0)).toBe(true);
    } finally {
      await q.close();
    }
    const status = await cli.run(['queue', 'status', '--queue', redis.url]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/waiting 0 {2}active 0 {2}delayed 0 {2}completed 60 {2}failed 0/);
    expect(status.stdout).toMatch(/throughput \d+\.\d images\/min; ETA 0 s/);
  }, 600_000);
});
