import { isMaskgenError } from '@maskgen/core';
import { type TextToImage, rowSeededRng } from '@maskgen/pipeline';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_QUEUE_NAME, type QueueTarget, redisConnection } from './connection.js';
import { type ImageJobData, type ModelSpec, checkJobData, specMismatch } from './image-job.js';
import { specKey } from './image-queue.js';
import { type ResultRecord, ResultIndex, removeStalePartials, writeItemResult } from './output-folder.js';

/** What a worker reports while it runs (the CLI prints these lines). */
export type WorkerEvent =
  | { type: 'done'; job: string; record: ResultRecord; ms: number; skipped: boolean }
  | { type: 'failed'; job: string; file?: string; error: string; final: boolean }
  | { type: 'refused'; job: string; reasons: string[] }
  | { type: 'reconnecting'; attempt: number; delayMs: number }
  | { type: 'cleaned'; files: string[] }
  | { type: 'error'; error: string };

export interface ImageWorkerOptions extends QueueTarget {
  /** The loaded models; the worker only runs jobs queued for `models`. */
  t2i: TextToImage;
  /** The model id written into PNGs and results.jsonl (as the single-process run writes it). */
  modelId: string;
  models: ModelSpec;
  /** The output folder (a shared filesystem when workers run on several machines). */
  dir: string;
  /** Jobs run at once in this process (default 1: one image uses every thread it is given). */
  concurrency?: number;
  /** How long a job stays locked without a heartbeat before another worker takes it over (default 30 s). */
  stallMs?: number;
  onEvent?: (e: WorkerEvent) => void;
}

/** A running worker: `stop()` finishes the jobs in hand, then closes; `done` settles when it has stopped. */
export interface ImageWorker {
  readonly id: string;
  stop(): Promise<void>;
  /** Resolves when the worker stopped; rejects with the reason when it refused a job of other models. */
  readonly done: Promise<void>;
}

/**
 * Takes image jobs until stopped. Each job: checks its model spec against the loaded one (a mismatch
 * puts the job back for another worker and stops this one), skips it when `results.jsonl` already
 * records its file (a retry after a crash between the write and the acknowledgement), else generates
 * it with its own seed exactly as `generate --prompts` would and writes PNG + record. Bad input fails
 * the job at once with its message; other errors are retried by BullMQ.
 */
export function startImageWorker(o: ImageWorkerOptions): ImageWorker {
  const emit = o.onEvent ?? (() => undefined);
  const name = `${hostname()}:${process.pid}`;
  const index = new ResultIndex(o.dir);
  const connection = redisConnection(o.url, { onReconnect: (attempt, delayMs) => emit({ type: 'reconnecting', attempt, delayMs }) });
  const stallMs = o.stallMs ?? 30_000;
  let refused: Error | undefined;
  let stopping: Promise<void> | undefined;

  async function processJob(job: Job<ImageJobData>, token?: string): Promise<ResultRecord> {
    const t0 = performance.now();
    const data = (() => {
      try {
        return checkJobData(job.data, job.id);
      } catch (e) {
        throw new UnrecoverableError((e as Error).message);
      }
    })();
    const reasons = specMismatch(data.models, o.models);
    if (reasons.length) {
      await job.moveToWait(token);
      refused ??= new Error(
        `job ${job.id} was queued for other models (${reasons.join('; ')}); it was put back for a matching worker. Start this worker with the queue's models (or without model flags to use them).`,
      );
      emit({ type: 'refused', job: job.id!, reasons });
      void stop();
      throw new WaitingError();
    }
    const { item, settings } = data;
    const prior = await index.get(item.file);
    if (
      prior &&
      prior.seed === item.seed &&
      prior.prompt === item.prompt &&
      (await stat(join(o.dir, item.file)).then(
        (s) => s.size > 0,
        () => false,
      ))
    ) {
      emit({ type: 'done', job: job.id!, record: prior, ms: performance.now() - t0, skipped: true });
      return prior;
    }
    let result;
    try {
      result = await o.t2i.generate([item.prompt], { ...settings, seed: item.seed, rng: rowSeededRng([item.seed]), numImages: 1 });
    } catch (e) {
      if (isMaskgenError(e, 'INVALID_ARGUMENT')) throw new UnrecoverableError(e.message);
      throw e;
    }
    // A worker that stalled (event loop starved past the lock) may find its job taken over: then it writes nothing.
    if (token && !(await job.extendLock(token, stallMs)))
      throw new Error(`job ${job.id}: lock lost while generating (another worker took it over after the stall interval); not writing`);
    const record = await writeItemResult(o.dir, item, result.images[0], o.modelId, result.settings, { job: job.id, worker: name });
    emit({ type: 'done', job: job.id!, record, ms: performance.now() - t0, skipped: false });
    return record;
  }

  const worker = new Worker<ImageJobData, ResultRecord>(o.name ?? DEFAULT_QUEUE_NAME, processJob, {
    connection,
    concurrency: o.concurrency ?? 1,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    maxStalledCount: 3,
    name,
  });
  worker.on('failed', (job, err) => {
    if (!job || err instanceof WaitingError || err.name === 'WaitingError') return;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    emit({ type: 'failed', job: job.id ?? '?', file: (job.data as ImageJobData | undefined)?.item?.file, error: err.message, final });
  });
  worker.on('error', (e) => emit({ type: 'error', error: e.message }));
  // Temporary files of writers killed mid-write (older than the stall interval: their jobs are redone).
  void removeStalePartials(o.dir, stallMs).then(
    (files) => emit({ type: 'cleaned', files }),
    (e: Error) => emit({ type: 'error', error: `cleaning ${o.dir}: ${e.message}` }),
  );

  function stop(): Promise<void> {
    stopping ??= worker.close().finally(() => connection.disconnect());
    return stopping;
  }
  const done = new Promise<void>((resolve, reject) => {
    worker.on('closed', () => (refused ? reject(refused) : resolve()));
  });
  done.catch(() => undefined);
  return { id: name, stop, done };
}

/** The model spec the producer recorded on the queue, for workers started without model flags. */
export async function queueModelSpec(target: QueueTarget): Promise<ModelSpec | undefined> {
  const redis = redisConnection(target.url, { failFast: true });
  try {
    const raw = await redis.get(specKey(target.name));
    return raw ? (JSON.parse(raw) as ModelSpec) : undefined;
  } finally {
    redis.disconnect();
  }
}
