import { MaskgenError } from '@maskgen/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_QUEUE_NAME, type QueueTarget, redisConnection } from './connection.js';
import type { ImageJobData } from './image-job.js';

/** Jobs kept per state after they finish: completed ones are the "already done" record of their id. */
export const JOB_DEFAULTS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: false,
  removeOnFail: false,
} as const;

/** Redis key (inside the queue's namespace) holding the model spec the queue's jobs were made for. */
export const specKey = (name: string = DEFAULT_QUEUE_NAME, prefix = 'bull') => `${prefix}:${name}:maskgen-spec`;

/** A BullMQ queue of image jobs on its own connection; `close()` ends both. */
export interface ImageQueue {
  queue: Queue<ImageJobData>;
  redis: Redis;
  close(): Promise<void>;
}

/**
 * Opens the queue for producers and admin commands: commands fail after a few reconnect attempts (a
 * wrong URL ends the command with a clear message instead of waiting forever).
 */
export async function openImageQueue(target: QueueTarget): Promise<ImageQueue> {
  const redis = redisConnection(target.url, { failFast: true });
  try {
    await redis.ping();
  } catch (cause) {
    redis.disconnect();
    throw new MaskgenError(
      'NOT_FOUND',
      `--queue: cannot reach Redis at ${redactUrl(target.url)} (${(cause as Error).message}); start redis-server there or fix the URL`,
      { cause },
    );
  }
  const queue = new Queue<ImageJobData>(target.name ?? DEFAULT_QUEUE_NAME, { connection: redis, defaultJobOptions: JOB_DEFAULTS });
  queue.on('error', () => undefined);
  return {
    queue,
    redis,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** A Redis URL fit for printing: the password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
