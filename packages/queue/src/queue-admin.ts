import type { ImageJobData, ModelSpec } from './image-job.js';
import { type ImageQueue, specKey } from './image-queue.js';

/** A snapshot of a queue for `maskgen queue status`. */
export interface QueueStatus {
  name: string;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number; prioritized: number };
  /** Images per minute over the last (up to) 200 completions; 0 when none finished yet. */
  perMinute: number;
  /** Seconds until the queued images are done at that rate; undefined when nothing is finishing. */
  etaSeconds?: number;
  /** Workers connected now. */
  workers: number;
  /** The latest failures with their messages (newest first). */
  failures: { id: string; file?: string; prompt?: string; error: string; attempts: number }[];
  models?: ModelSpec;
}

/** Counts, rate, ETA, workers and recent failures, read without changing anything. */
export async function queueStatus(q: ImageQueue, opts: { now?: number; failures?: number } = {}): Promise<QueueStatus> {
  const now = opts.now ?? Date.now();
  const raw = await q.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  const counts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0, prioritized: 0, ...raw } as QueueStatus['counts'];
  const recent = (await q.queue.getCompleted(0, 199)).map((j) => j.finishedOn ?? 0).filter((t) => t > 0);
  let perMinute = 0;
  if (recent.length) {
    const window = Math.max(now - Math.min(...recent), 1000);
    perMinute = (recent.length / window) * 60_000;
  }
  const left = counts.waiting + counts.active + counts.delayed + counts.prioritized;
  const failed = await q.queue.getFailed(0, (opts.failures ?? 10) - 1);
  const workers = (await q.queue.getWorkers()).length;
  const spec = await q.redis.get(specKey(q.queue.name));
  return {
    name: q.queue.name,
    counts,
    perMinute,
    etaSeconds: perMinute > 0 ? Math.round((left / perMinute) * 60) : left === 0 ? 0 : undefined,
    workers,
    failures: failed.map((j) => ({
      id: j.id ?? '?',
      file: (j.data as ImageJobData)?.item?.file,
      prompt: (j.data as ImageJobData)?.item?.prompt?.slice(0, 80),
      error: j.failedReason,
      attempts: j.attemptsMade,
    })),
    ...(spec ? { models: JSON.parse(spec) as ModelSpec } : {}),
  };
}

/** Moves every failed job back to waiting (attempts start over); returns how many. */
export async function retryFailed(q: ImageQueue): Promise<number> {
  const n = await q.queue.getFailedCount();
  if (n) await q.queue.retryJobs({ state: 'failed', count: 1000 });
  return n;
}

/**
 * Removes the jobs not started yet (waiting and delayed); running jobs finish. With `all`, removes the
 * whole queue (history, failures and its model spec) once no job is running, so it can be reused for
 * other models or re-run from scratch.
 */
export async function drainQueue(q: ImageQueue, all = false): Promise<number> {
  const c = await q.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'completed', 'failed', 'active');
  if (all) {
    await q.queue.obliterate({ force: false });
    await q.redis.del(specKey(q.queue.name));
    return Object.values(c).reduce((a, b) => a + b, 0);
  }
  await q.queue.drain(true);
  return (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
}
