import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TRANSFER_LIMITS, type TransferLimits } from '../transfer-limits.js';
import { DEFAULT_ENDPOINT, type Env, offlineFrom, parseEndpoint, seconds } from '../settings.js';

export type { Env };

/** Everything the hub client needs to know about where and how, resolved once per source. */
export interface HubSettings {
  endpoint: string;
  cacheDir: string;
  token: string | undefined;
  offline: boolean;
  /** Seconds-based knobs of huggingface_hub, in milliseconds. */
  metadataTimeoutMs: number;
  stallTimeoutMs: number;
  /** Overall deadline and minimum rate of each file's download (MASKGEN_HUB_DOWNLOAD_DEADLINE, MASKGEN_HUB_MIN_RATE). */
  transferLimits: TransferLimits;
}

function nonNegative(v: string | undefined, fallback: number): number {
  const n = v === undefined || v === '' ? Number.NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** `$HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` (as in Python). */
export function hfHome(env: Env): string {
  return env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
}

/** The hub cache folder shared with Python: `$HF_HUB_CACHE`, else `$HF_HOME/hub`. */
export function defaultHubCache(env: Env = process.env): string {
  return env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(hfHome(env), 'hub');
}

function readTokenFile(env: Env): string | undefined {
  try {
    const t = readFileSync(env.HF_TOKEN_PATH || join(hfHome(env), 'token'), 'utf8').trim();
    return t || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves explicit options over the environment variables huggingface_hub reads (HF_ENDPOINT,
 * HF_TOKEN / the token file, HF_HUB_CACHE / HF_HOME, HF_HUB_OFFLINE, HF_HUB_ETAG_TIMEOUT,
 * HF_HUB_DOWNLOAD_TIMEOUT), so a machine set up for Python works unchanged.
 */
export function resolveHubSettings(
  o: {
    endpoint?: string;
    token?: string | false;
    cacheDir?: string;
    offline?: boolean;
    metadataTimeoutMs?: number;
    stallTimeoutMs?: number;
    transferLimits?: Partial<TransferLimits>;
  },
  env: Env,
): HubSettings {
  return {
    endpoint: parseEndpoint(o.endpoint ?? (env.HF_ENDPOINT || DEFAULT_ENDPOINT)),
    cacheDir: o.cacheDir ?? defaultHubCache(env),
    token: o.token === false ? undefined : (o.token ?? (env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || readTokenFile(env))),
    offline: offlineFrom(o.offline, env),
    metadataTimeoutMs: o.metadataTimeoutMs ?? seconds(env.HF_HUB_ETAG_TIMEOUT, 10_000),
    stallTimeoutMs: o.stallTimeoutMs ?? seconds(env.HF_HUB_DOWNLOAD_TIMEOUT, 10_000),
    transferLimits: {
      deadlineMs: o.transferLimits?.deadlineMs ?? seconds(env.MASKGEN_HUB_DOWNLOAD_DEADLINE, DEFAULT_TRANSFER_LIMITS.deadlineMs),
      minBytesPerSecond: o.transferLimits?.minBytesPerSecond ?? nonNegative(env.MASKGEN_HUB_MIN_RATE, DEFAULT_TRANSFER_LIMITS.minBytesPerSecond),
      rateWindowMs: o.transferLimits?.rateWindowMs ?? DEFAULT_TRANSFER_LIMITS.rateWindowMs,
    },
  };
}
