import { MaskgenError, throwIfAborted } from '@maskgen/core';
import type { PromptItem } from '@maskgen/pipeline';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImageJobData, type JobSettings, type ModelSpec, imageJobId, specMismatch } from './image-job.js';
import { type ImageQueue, specKey } from './image-queue.js';
import type { ResultRecord } from './output-folder.js';

/** What `enqueueItems` found and did, item by item counted once. */
export interface EnqueueSummary {
  /** Jobs added by this call. */
  added: number;
  /** Items whose image is already in the output folder (not queued). */
  done: number;
  /** Items already queued and not finished (waiting, active, delayed). */
  pending: number;
  /** Items whose job failed earlier (kept with its error; `retry-failed` re-queues them). */
  failed: number;
  /** Items whose job completed but whose file is missing from the folder: queued again. */
  requeued: number;
}

const CHUNK = 500;

/**
 * Queues one job per item not yet in `dir`. Job ids are content hashes, so calling this twice with the
 * same items (or after a crash half-way) adds nothing twice. The first call records the model spec on
 * the queue; a call with another spec is refused, since every worker of a queue loads one model set.
 */
export async function enqueueItems(
  q: ImageQueue,
  items: readonly PromptItem[],
  models: ModelSpec,
  settings: JobSettings,
  dir?: string,
): Promise<EnqueueSummary> {
  const key = specKey(q.queue.name);
  await q.redis.set(key, JSON.stringify(models), 'NX');
  const stored = JSON.parse((await q.redis.get(key)) ?? 'null') as ModelSpec | null;
  const diff = stored ? specMismatch(models, stored) : [];
  if (diff.length) {
    throw new MaskgenError(
      'INVALID_ARGUMENT',
      `queue "${q.queue.name}" holds jobs for other models (${diff.map((d) => d.replace('this worker loaded', 'the queue has')).join('; ')}); use another --name, or empty it first with 'maskgen queue drain --all'`,
    );
  }
  const sum: EnqueueSummary = { added: 0, done: 0, pending: 0, failed: 0, requeued: 0 };
  for (let start = 0; start < items.length; start += CHUNK) {
    const chunk = items.slice(start, start + CHUNK);
    const jobs = chunk.map((item) => ({ data: { item, models, settings } satisfies ImageJobData })).map((j) => ({ ...j, id: imageJobId(j.data) }));
    // States first, files second: a job that completes in between is then seen with its file, never as "completed, file missing".
    const states = await Promise.all(jobs.map((j) => q.queue.getJobState(j.id)));
    const present = dir
      ? await Promise.all(
          chunk.map((it) =>
            stat(join(dir, it.file)).then(
              (s) => s.size > 0,
              () => false,
            ),
          ),
        )
      : chunk.map(() => false);
    const add: typeof jobs = [];
    for (let i = 0; i < jobs.length; i++) {
      const s = states[i];
      if (present[i]) sum.done++;
      else if (s === 'unknown') add.push(jobs[i]);
      else if (s === 'failed') sum.failed++;
      else if (s === 'completed') {
        const job = await q.queue.getJob(jobs[i].id);
        await job?.retry('completed');
        sum.requeued++;
      } else sum.pending++;
    }
    if (add.length) {
      const made = await q.queue.addBulk(add.map((j) => ({ name: 'image', data: j.data, opts: { jobId: j.id } })));
      sum.added += made.length;
    }
  }
  return sum;
}

/**
 * Waits until a job has finished and returns the record its worker wrote (also kept in Redis as the
 * job's return value), or throws its failure. Polls the job state, so an HTTP front end needs no extra
 * Redis connection per request; `signal` stops waiting (the job itself goes on).
 */
export async function waitForJob(q: ImageQueue, jobId: string, opts: { signal?: AbortSignal; pollMs?: number } = {}): Promise<ResultRecord> {
  for (;;) {
    throwIfAborted(opts.signal, `waiting for job ${jobId}`);
    const state = await q.queue.getJobState(jobId);
    if (state === 'unknown') throw new MaskgenError('NOT_FOUND', `job ${jobId} is not in queue "${q.queue.name}"`);
    if (state === 'completed' || state === 'failed') {
      const job = await q.queue.getJob(jobId);
      if (state === 'completed' && job?.returnvalue) return job.returnvalue as ResultRecord;
      if (state === 'failed') throw new MaskgenError('RUNTIME', `job ${jobId} failed: ${job?.failedReason ?? 'unknown error'}`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}
