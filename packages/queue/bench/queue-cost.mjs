// The cost of the queue itself, as quoted in docs/scale-out.md ("Measured here"): Redis round trips and
// commands per job, bytes per job in Redis, and jobs/s with 1 and 2 worker processes, all with a no-op
// model (a flat 64×64 image) so nothing but the queue path is timed. Starts its own redis-server on
// 127.0.0.1 (a free port, a temp folder) and stops it. Bounded: at most 5,000 jobs per pass.
//
//   pnpm build && node packages/queue/bench/queue-cost.mjs [--jobs 500] [--json]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planPromptItems } from '@maskgen/pipeline';
import { enqueueItems, openImageQueue, startImageWorker } from '@maskgen/queue';
import { startRedisServer } from '@maskgen/test-utils';
import { Redis } from 'ioredis';

const SPEC = { generator: 'bench/noop@0000000000000000000000000000000000000000', tokenizer: '', textEncoder: '', precision: 'float32' };
const flat = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4).fill(128) };
const noopModel = { family: 'vq', generate: async (p) => ({ images: p.map(() => flat), settings: { steps: 1 }, seed: 0 }) };

/** Child mode: one worker process on queue `name` until the parent kills it. */
if (process.argv[2] === '--worker') {
  const [, , , url, name, dir] = process.argv;
  startImageWorker({ url, name, dir, t2i: noopModel, modelId: 'bench/noop', models: SPEC });
  process.on('SIGTERM', () => process.exit(0));
} else {
  const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
  const jobs = Math.min(Math.max(Number(arg('--jobs', '500')) | 0, 10), 5000);
  const redis = await startRedisServer();
  const out = {};
  try {
    const items = (tag) =>
      planPromptItems(
        Array.from({ length: jobs }, (_, i) => ({ index: i + 1, line: i + 1, prompt: `${tag} prompt ${i + 1}` })),
        1,
      );
    /** Enqueues `jobs` items on a fresh queue, runs `workers` processes until all completed; jobs/s from finishedOn. */
    async function pass(name, workers, onStart) {
      const dir = mkdtempSync(join(tmpdir(), 'maskgen-qbench-'));
      const q = await openImageQueue({ url: redis.url, name });
      const t0 = performance.now();
      await enqueueItems(q, items(name), SPEC, {}, dir);
      const enqueuePerS = jobs / ((performance.now() - t0) / 1000);
      const [waitingJob] = await q.queue.getWaiting(0, 0);
      const queuedBytes = await q.redis.call('MEMORY', 'USAGE', `bull:${name}:${waitingJob.id}`);
      await onStart?.(q);
      const children = Array.from({ length: workers }, () => fork(new URL(import.meta.url), ['--worker', redis.url, name, dir], { stdio: 'ignore' }));
      while ((await q.queue.getCompletedCount()) < jobs) await new Promise((r) => setTimeout(r, 100));
      for (const c of children) c.kill('SIGTERM');
      const done = await q.queue.getCompleted(0, jobs - 1);
      const finished = done.map((j) => j.finishedOn).sort((a, b) => a - b);
      const completedBytes = await q.redis.call('MEMORY', 'USAGE', `bull:${name}:${done[0].id}`);
      await q.close();
      rmSync(dir, { recursive: true, force: true });
      return { enqueuePerS, queuedBytes, completedBytes, jobsPerS: (finished.length - 1) / ((finished.at(-1) - finished[0]) / 1000) };
    }

    // Pass 1 under MONITOR: lines from a client address are round trips, lines from "lua" are the commands
    // BullMQ's scripts run inside Redis. Only lines after the workers start are counted (not the enqueue).
    const monitor = new Redis(redis.url);
    let counting = false;
    let parent = '';
    let trips = 0;
    let scripted = 0;
    const mon = await monitor.monitor();
    mon.on('monitor', (_time, _args, source) => {
      if (!counting || source === parent) return;
      if (source.endsWith('lua')) scripted++;
      else trips++;
    });
    const measured = await pass('cost', 1, (q) => {
      // The bench's own polling (getCompletedCount every 100 ms) is not a worker's: its connection is left out.
      parent = `127.0.0.1:${q.redis.stream.localPort}`;
      counting = true;
    });
    counting = false;
    mon.disconnect();
    monitor.disconnect();
    out.roundTripsPerJob = trips / jobs;
    out.commandsPerJob = (trips + scripted) / jobs;
    out.bytesQueued = measured.queuedBytes;
    out.bytesCompleted = measured.completedBytes;
    out.enqueuePerS = measured.enqueuePerS;
    // Passes 2 and 3 without MONITOR: throughput with 1 and 2 worker processes.
    out.jobsPerS1 = (await pass('one', 1)).jobsPerS;
    out.jobsPerS2 = (await pass('two', 2)).jobsPerS;
    out.jobs = jobs;
  } finally {
    await redis.close();
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(out));
  else
    console.log(
      [
        `jobs per pass: ${out.jobs} (no-op model, 64×64 PNGs, worker processes on this machine)`,
        `round trips per job (worker → Redis): ${out.roundTripsPerJob.toFixed(2)}`,
        `commands per job (incl. inside scripts): ${out.commandsPerJob.toFixed(1)}`,
        `bytes per job in Redis: queued ${out.bytesQueued}, completed ${out.bytesCompleted}`,
        `enqueue: ${out.enqueuePerS.toFixed(0)} jobs/s`,
        `throughput: ${out.jobsPerS1.toFixed(0)} jobs/s with 1 worker, ${out.jobsPerS2.toFixed(0)} with 2`,
      ].join('\n'),
    );
}
