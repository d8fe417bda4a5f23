import { MaskgenError } from '@maskgen/core';
import { Redis } from 'ioredis';

/** Where the queue lives: a Redis URL plus the queue name (one queue per model set). */
export interface QueueTarget {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` for TLS. */
  url: string;
  /** Queue name (default `maskgen`); BullMQ keys are `bull:<name>:*`. */
  name?: string;
}

export const DEFAULT_QUEUE_NAME = 'maskgen';

/** Checks a `--queue` URL up front, so a typo fails with the argument named instead of a retry loop. */
export function checkRedisUrl(url: string, argument = '--queue'): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MaskgenError('INVALID_ARGUMENT', `${argument}: expected a Redis URL like redis://host:6379/0, got ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new MaskgenError('INVALID_ARGUMENT', `${argument}: expected a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db))
    throw new MaskgenError('INVALID_ARGUMENT', `${argument}: the path is a database number (redis://host:6379/0), got ${JSON.stringify(u.pathname)}`);
  return u;
}

/** Delay before reconnect attempt `times` (1-based): 100 ms doubling to at most 5 s. */
export function reconnectDelay(times: number): number {
  return Math.min(100 * 2 ** Math.min(times - 1, 6), 5000);
}

/**
 * A Redis connection for BullMQ that never gives up: commands wait while Redis is away (workers must
 * survive a Redis restart), reconnects back off exponentially, and `onReconnect` hears each attempt.
 * `failFast` (producer, status) rejects commands after a few tries so a wrong URL ends the command.
 */
export function redisConnection(url: string, opts: { failFast?: boolean; onReconnect?: (attempt: number, delayMs: number) => void } = {}): Redis {
  checkRedisUrl(url);
  const redis = new Redis(url, {
    maxRetriesPerRequest: opts.failFast ? 2 : null,
    enableReadyCheck: true,
    retryStrategy: (times) => {
      if (opts.failFast && times > 3) return null;
      const d = reconnectDelay(times);
      opts.onReconnect?.(times, d);
      return d;
    },
  });
  // ioredis reports connection errors as events; the retry strategy above is the handling.
  redis.on('error', () => undefined);
  return redis;
}
