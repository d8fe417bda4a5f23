import { MaskgenError, quote } from '@maskgen/core';

/** Environment variables as a plain record, so tests (and browsers, which have none) pass their own. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The public hub; mirrors are set with HF_ENDPOINT or the `endpoint` option. */
export const DEFAULT_ENDPOINT = 'https://huggingface.co';

const TRUE = new Set(['1', 'ON', 'YES', 'TRUE']);

/** Same truthy spellings as huggingface_hub, so one `HF_HUB_OFFLINE=1` switches both off the network. */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && TRUE.has(value.trim().toUpperCase());
}

/** Offline when asked explicitly, else when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set. */
export function offlineFrom(option: boolean | undefined, env: Env): boolean {
  return option ?? (envFlag(env.HF_HUB_OFFLINE) || envFlag(env.TRANSFORMERS_OFFLINE));
}

/** Validates a hub or mirror base URL and drops trailing slashes, so URLs are built one way. */
export function parseEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MaskgenError('INVALID_ARGUMENT', `endpoint ${quote(raw)} is not a URL; expected e.g. "https://huggingface.co" or a mirror's base URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MaskgenError('INVALID_ARGUMENT', `endpoint ${quote(raw)} must be an http(s) URL`);
  }
  return raw.replace(/\/+$/, '');
}

/** huggingface_hub's seconds-valued variables (HF_HUB_ETAG_TIMEOUT…) in milliseconds, with a fallback. */
export function seconds(v: string | undefined, fallback: number): number {
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n * 1000 : fallback;
}
