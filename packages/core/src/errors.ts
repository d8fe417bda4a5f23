/**
 * Every failure the library raises on purpose carries one of these codes, so callers can branch on
 * the kind of failure without parsing messages (which quote the bad value and list what is allowed).
 */
export type MaskgenErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_SAFETENSORS'
  | 'INVALID_CONFIG'
  | 'INVALID_IMAGE'
  | 'INVALID_TOKENIZER_FILE'
  | 'UNSUPPORTED_DTYPE'
  | 'MISSING_WEIGHT'
  | 'SHAPE_MISMATCH'
  | 'UNKNOWN_MODEL'
  | 'NOT_FOUND'
  | 'NETWORK'
  | 'DOWNLOAD_CORRUPT'
  | 'OFFLINE'
  | 'RUNTIME'
  | 'RUNTIME_LIMIT'
  | 'RNG_REPLAY_MISMATCH'
  | 'ABORTED'
  | 'DISPOSED'
  | 'NOT_IMPLEMENTED'
  | 'UNAUTHORIZED'
  | 'CACHE_IO'
  | 'INVALID_CHECKPOINT'
  | 'UNSAFE_PICKLE'
  | 'NON_FINITE'
  | 'INPUT_TOO_LARGE'
  | 'FILE_IO';

/**
 * The single error type of MaskGen.js. One class (instead of a hierarchy) keeps `instanceof`
 * checks working across duplicated package copies and bundles; `code` says what went wrong.
 */
export class MaskgenError extends Error {
  readonly code: MaskgenErrorCode;

  constructor(code: MaskgenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MaskgenError';
    this.code = code;
  }
}

/** Structural check that also recognises errors thrown by another copy of this package. */
export function isMaskgenError(e: unknown, code?: MaskgenErrorCode): e is MaskgenError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'MaskgenError' &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (code === undefined || (e as { code: string }).code === code)
  );
}

/**
 * Says where JSON.parse failed (line and column) without quoting the file: V8's own message repeats
 * the first bytes of the text, and a config reached through a symlink may be any file on the machine.
 */
export function describeJsonError(cause: unknown, text: string): string {
  const m = /position (\d+)/.exec(String((cause as Error)?.message ?? ''));
  if (!m) return 'not valid JSON';
  const at = Math.min(Number(m[1]), text.length);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return `not valid JSON at line ${line}, column ${at - before.lastIndexOf('\n')}`;
}

/** Quotes a user value for an error message, shortened so hostile input cannot flood logs. */
export function quote(value: unknown, max = 80): string {
  const s = preview(value, max + 1, 4);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * A JSON-like preview that stops after `budget` characters and `depth` levels, so a 2M-deep or
 * 1 GB value costs a few hundred steps (JSON.stringify would overflow the stack or copy it all).
 */
function preview(value: unknown, budget: number, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > budget ? value.slice(0, budget) : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object')
    return typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  if (depth <= 0) return Array.isArray(value) ? '[…]' : '{…}';
  const parts: string[] = [];
  let used = 2;
  const entries: Iterable<[string | undefined, unknown]> = Array.isArray(value)
    ? (function* () {
        for (let i = 0; i < value.length; i++) yield [undefined, value[i]] as [undefined, unknown];
      })()
    : (function* () {
        for (const k in value as object)
          if (Object.prototype.hasOwnProperty.call(value, k)) yield [k, (value as Record<string, unknown>)[k]] as [string, unknown];
      })();
  for (const [k, v] of entries) {
    if (used >= budget) {
      parts.push('…');
      break;
    }
    const item = `${k === undefined ? '' : `${JSON.stringify(k)}:`}${preview(v, budget - used, depth - 1)}`;
    parts.push(item);
    used += item.length + 1;
  }
  return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}
