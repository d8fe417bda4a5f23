import { openImageQueue } from '@maskgen/queue';
import { type TestRedis, startRedisServer } from '@maskgen/test-utils';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
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
          ok(w.stderr)
            ? resolve()
            : w.exited || Date.now() - t0 > ms
              ? reject(new Error(`${w.exited ? 'worker exited' : 'timed out'} waiting for ${what}:\n${w.stderr}`))
              : setTimeout(tick, 10);
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

/** Polls the active count until stopped and keeps the highest seen (one connection, opened again after a Redis restart). */
function watchActive(name?: string) {
  let max = 0;
  let on = true;
  const loop = (async () => {
    let q: Awaited<ReturnType<typeof openImageQueue>> | undefined;
    while (on) {
      try {
        q ??= await openImageQueue({ url: redis.url, name });
        max = Math.max(max, await q.queue.getActiveCount());
      } catch {
        await q?.close().catch(() => undefined);
        q = undefined;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await q?.close();
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return max;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

    const active = watchActive();
    const workers = [0, 1, 2].map(() => startWorker(['-o', 'shared', '--stall-interval', '2000']));
    // kill -9 worker 0 once it has written two images, at a moment it is generating: frozen (SIGSTOP) with a job
    // in hand whose image is not written yet, that job is recorded, then the process is killed.
    const written = (s: string) => (s.match(/^wrote /gm) ?? []).length;
    await workers[0].waitFor((s) => written(s) >= 2, 'two images from worker 0');
    const worker0 = `${hostname()}:${workers[0].child.pid}`;
    const q0 = await openImageQueue({ url: redis.url });
    let victim: { id: string; file: string } | undefined;
    for (let i = 0; i < 300 && !victim; i++) {
      workers[0].child.kill('SIGSTOP');
      const mine = (await q0.queue.getActive()).find((j) => j.processedBy === worker0);
      const file = mine?.data.item.file;
      const started = file && readdirSync(join(cli.work, 'shared')).some((f) => f.startsWith(file));
      if (mine?.id && file && !started) victim = { id: mine.id, file };
      else {
        workers[0].child.kill('SIGCONT');
        await sleep(15);
      }
    }
    await q0.close();
    expect(victim, 'worker 0 never seen generating').toBeDefined();
    workers[0].child.kill('SIGKILL');
    expect(await workers[0].exit).toBe(null);

    // Concurrency 1 by default: never more jobs active than workers (2 live + the killed one's until it stalls). Watched
    // up to here: a Redis crash can leave a job active that no worker holds (a script's reply lost), until it stalls.
    const maxActive = await active.stop();
    expect(maxActive).toBeGreaterThanOrEqual(1);
    expect(maxActive).toBeLessThanOrEqual(3);

    // Redis dies (SIGKILL) mid-run and comes back with its append-only file: the workers reconnect and go on.
    expect((await counts()).completed).toBeLessThan(60);
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
    const pngs = readdirSync(join(cli.work, 'shared'))
      .filter((f) => f.endsWith('.png'))
      .sort();
    expect(pngs).toEqual(
      readdirSync(join(cli.work, 'single'))
        .filter((f) => f.endsWith('.png'))
        .sort(),
    );
    expect(pngs).toHaveLength(60);
    for (const f of pngs) expect(readFileSync(join(cli.work, 'shared', f)).equals(readFileSync(join(cli.work, 'single', f))), f).toBe(true);
    expect(readdirSync(join(cli.work, 'shared')).filter((f) => f.includes('.partial'))).toEqual([]);
    const lines = readFileSync(join(cli.work, 'shared/results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(60);
    expect(new Set(lines.map((r) => r.file)).size).toBe(60);
    const reference = new Map(
      readFileSync(join(cli.work, 'single/results.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((r) => [r.file, r]),
    );
    for (const r of lines) expect({ ...r, job: undefined, worker: undefined }).toEqual({ ...reference.get(r.file), job: undefined, worker: undefined });

    // The killed worker's job was taken over by another worker after the stall interval, and written by it.
    const q = await openImageQueue({ url: redis.url });
    try {
      const job = (await q.queue.getJob(victim!.id))!;
      expect(await job.getState()).toBe('completed');
      expect(job.stalledCounter).toBeGreaterThan(0);
      const rec = lines.find((r) => r.file === victim!.file);
      expect(rec.job).toBe(victim!.id);
      expect(rec.worker).toMatch(/:\d+$/);
      expect(rec.worker).not.toBe(worker0);
      expect(job.returnvalue).toMatchObject({ file: victim!.file, worker: rec.worker });
    } finally {
      await q.close();
    }
    const status = await cli.run(['queue', 'status', '--queue', redis.url]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/waiting 0 {2}active 0 {2}delayed 0 {2}completed 60 {2}failed 0/);
    expect(status.stdout).toMatch(/throughput \d+\.\d images\/min; ETA 0 s/);
  }, 600_000);

  it('--concurrency 2 --threads 1: at most 2 jobs active in the one worker (and 2 seen), images still byte-identical', async () => {
    const prompts = readFileSync(join(cli.work, 'p60.txt'), 'utf8').split('\n').slice(0, 13);
    writeFileSync(join(cli.work, 'p12.txt'), `${prompts.join('\n')}\n`);
    mkdirSync(join(cli.work, 'conc'));
    const b = await cli.run(['batch', 'p12.txt', '--queue', redis.url, '--name', 'conc', '-o', 'conc', '--seed', '5', ...FAST, '--json']);
    expect(JSON.parse(b.stdout)).toMatchObject({ added: 12 });
    const active = watchActive('conc');
    const w = startWorker(['--name', 'conc', '-o', 'conc', '--concurrency', '2', '--threads', '1']);
    await until('12 completed jobs', async () => (await counts('conc')).completed === 12);
    w.child.kill('SIGTERM');
    expect(await w.exit, w.stderr).toBe(0);
    expect(await active.stop()).toBe(2);
    const pngs = readdirSync(join(cli.work, 'conc')).filter((f) => f.endsWith('.png'));
    expect(pngs).toHaveLength(12);
    for (const f of pngs) expect(readFileSync(join(cli.work, 'conc', f)).equals(readFileSync(join(cli.work, 'single', f))), f).toBe(true);
  }, 300_000);
});

describe('queue faults one at a time', () => {
  it('a bad prompt fails its job alone (message kept, retry-failed re-queues it); SIGTERM finishes the image in hand', async () => {
    mkdirSync(join(cli.work, 'faults'));
    writeFileSync(join(cli.work, 'bad.txt'), `a good fox\n${'x'.repeat(10_001)}\na good owl\n`);
    const q = ['--queue', redis.url, '--name', 'faults'];
    const b = await cli.run(['batch', 'bad.txt', ...q, '-o', 'faults', '--seed', '2', ...FAST, '--json']);
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ added: 3 });
    const w = startWorker(['--name', 'faults', '-o', 'faults', '--stall-interval', '2000']);
    await until('2 completed + 1 failed', async () => {
      const c = await counts('faults');
      return c.completed === 2 && c.failed === 1;
    });
    expect(w.stderr).toMatch(/job img-[0-9a-f]+ \(0002-x+\.png\) failed: prompts\[0\]: 10001 characters exceeds the limit of 10000/);
    const status = await cli.run(['queue', 'status', ...q]);
    expect(status.stdout).toMatch(/completed 2 {2}failed 1/);
    expect(status.stdout).toMatch(/failed img-[0-9a-f]+ 0002-x+\.png after 1 attempt: prompts\[0\]: 10001 characters exceeds the limit/);
    const retry = await cli.run(['queue', 'retry-failed', ...q, '--json']);
    expect(JSON.parse(retry.stdout)).toEqual({ retried: 1 });
    await until('the retried job to fail again', async () => (await counts('faults')).failed === 1 && (w.stderr.match(/failed:/g) ?? []).length === 2);
    expect(readdirSync(join(cli.work, 'faults')).filter((f) => f.endsWith('.png'))).toEqual(['0001-a-good-fox.png', '0003-a-good-owl.png']);

    // A slow job (200 steps), SIGTERM while it runs: the image is still written, then the worker exits 0.
    writeFileSync(join(cli.work, 'slow.txt'), 'a slow heron\n');
    const slow = await cli.run(['batch', 'slow.txt', ...q, '-o', 'faults', '--seed', '2', '--steps', '200', '--json']);
    expect(JSON.parse(slow.stdout)).toMatchObject({ added: 1 });
    await until('the slow job to be taken', async () => (await counts('faults')).active === 1);
    w.child.kill('SIGTERM');
    expect(await w.exit, w.stderr).toBe(0);
    expect(w.stderr).toMatch(/stopping after the current image…\n(?:.*\n)*wrote 0001-a-slow-heron\.png[^]*worker stopped/);
    expect((await counts('faults')).completed).toBe(3);
  }, 300_000);

  it('refuses other models: a worker with other model flags, a producer with other models; drain --all frees the name', async () => {
    const q = ['--queue', redis.url, '--name', 'faults'];
    const other = await cli.run(['worker', ...q, '-o', 'faults', '--model', 'turkeyju/generator_maskgen_kl_xl']);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(
      /the queue's jobs are for other models \(generator: job wants "turkeyju\/generator_maskgen_vq_xl", this worker loaded "turkeyju\/generator_maskgen_kl_xl"; tokenizer: /,
    );
    const int8 = await cli.run(['batch', 'slow.txt', ...q, '-o', 'faults', '--precision', 'int8']);
    expect(int8.status).toBe(1);
    expect(int8.stderr).toMatch(/queue "faults" holds jobs for other models \(precision: job wants "int8", the queue has "float32"\)/);
    const drained = await cli.run(['queue', 'drain', ...q, '--all']);
    expect(drained.status, drained.stderr).toBe(0);
    expect(drained.stdout).toMatch(/queue "faults" removed/);
    const now = await cli.run(['batch', 'slow.txt', ...q, '-o', 'faults', '--precision', 'int8', '--json']);
    expect(JSON.parse(now.stdout)).toMatchObject({ done: 1, added: 0 });
  }, 120_000);

  it('bad queue arguments: clear messages, non-zero exit; help lists the queue commands', async () => {
    const help = await cli.run(['help']);
    for (const c of ['batch', 'worker', 'queue']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect((await cli.run(['help', 'worker'])).stdout).toMatch(/--stall-interval <int> +ms without a heartbeat/);
    const cases: [string[], RegExp, number][] = [
      [['batch', 'bad.txt', '-o', '.'], /--queue is required/, 2],
      [['batch', 'bad.txt', '--queue', 'http://x', '-o', '.'], /--queue: expected a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/x"/, 1],
      [['queue', 'status', '--queue', 'redis://127.0.0.1:9/0'], /--queue: cannot reach Redis at redis:\/\/127.0.0.1:9\/0/, 1],
      [['queue', 'explode', '--queue', redis.url], /queue: unknown action "explode"; expected one of status, retry-failed, drain/, 2],
      [['worker', '--queue', redis.url, '--name', 'empty'], /queue "empty" .* has no jobs yet/, 1],
      [['worker', '--queue', redis.url, '--name', 'bad name'], /--name: expected letters/, 2],
    ];
    for (const [args, re, code] of cases) {
      const r = await cli.run(args);
      expect(r.stderr).toMatch(re);
      expect(r.status, r.stderr).toBe(code);
      expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    }
  }, 120_000);
});
