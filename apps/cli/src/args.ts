import { parseArgs } from 'node:util';
import { UsageError } from './cli-error.js';

/** One flag of a command: its type, how to check it, and its help text. */
export interface FlagSpec {
  type: 'string' | 'boolean' | 'int' | 'float';
  short?: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Other names users bring from diffusers/Python scripts (`guidance-scale` for `guidance`). */
  aliases?: readonly string[];
  help: string;
}

export type Flags = Record<string, FlagSpec>;

type Parsed<F extends Flags> = { [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : F[K]['type'] extends 'string' ? string : number };

/**
 * Parses and validates a command's flags strictly: unknown flags, missing values, non-numbers and
 * out-of-range numbers are usage errors that name the flag and what it accepts.
 */
export function parseFlags<F extends Flags>(
  argv: string[],
  flags: F,
  positionals: { min: number; max: number; names: string },
): { flags: Parsed<F>; args: string[] } {
  const canonical = new Map<string, string>();
  for (const [k, f] of Object.entries(flags)) for (const name of [k, ...(f.aliases ?? [])]) canonical.set(name, k);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, flags, canonical),
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        [...canonical].map(([name, k]) => [
          name,
          { type: flags[k].type === 'boolean' ? 'boolean' : 'string', ...(flags[k].short && name === k ? { short: flags[k].short } : {}) },
        ]),
      ) as never,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const values = parsed.values as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(flags)) {
    const given = [k, ...(f.aliases ?? [])].filter((name) => values[name] !== undefined);
    if (given.length > 1) throw new UsageError(`--${given[0]} and --${given[1]} are the same option; give it once`);
    if (!given.length) continue;
    const raw = values[given[0]];
    if (f.type === 'boolean') out[k] = raw;
    else if (f.type === 'string') {
      if (f.choices && !f.choices.includes(raw as string)) throw new UsageError(`--${k}: expected one of ${f.choices.join(', ')}, got "${raw}"`);
      out[k] = raw;
    } else out[k] = checkNumber(`--${given[0]}`, f, String(raw));
  }
  const args = parsed.positionals;
  if (args.length < positionals.min || args.length > positionals.max) {
    throw new UsageError(
      `expected ${positionals.names}, got ${args.length} argument${args.length === 1 ? '' : 's'}${args.length ? `: ${args.map((a) => `"${a}"`).join(' ')}` : ''}`,
    );
  }
  return { flags: out as Parsed<F>, args };
}

/** `--steps -3` is a value, not a flag: joined as `--steps=-3` so the range check can name it. */
function joinNegativeValues(argv: string[], flags: Flags, canonical: Map<string, string>): string[] {
  const shorts = new Map(
    Object.entries(flags)
      .filter(([, f]) => f.short)
      .map(([k, f]) => [f.short!, k]),
  );
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const key = a.startsWith('--') && !a.includes('=') ? canonical.get(a.slice(2)) : /^-[^-]$/.test(a) ? shorts.get(a.slice(1)) : undefined;
    if (key && flags[key].type !== 'boolean' && /^-(\d|\.\d|inf|Inf|nan|NaN)/.test(argv[i + 1] ?? '')) {
      out.push(`${a.startsWith('--') ? a : `--${key}`}=${argv[++i]}`);
    } else out.push(a);
    if (a === '--') {
      out.push(...argv.slice(i + 1));
      break;
    }
  }
  return out;
}

/** Parses a numeric flag and says, on failure, exactly what is allowed: "--steps must be an integer ≥ 1, got -3". */
function checkNumber(name: string, f: FlagSpec, raw: string): number {
  const s = raw.trim();
  const n = Number(s);
  const kind = f.type === 'int' ? 'an integer' : 'a number';
  const big = (v: number | undefined) => v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER;
  const range = !big(f.min) && !big(f.max) ? ` from ${f.min} to ${f.max}` : !big(f.min) ? ` ≥ ${f.min}` : !big(f.max) ? ` ≤ ${f.max}` : '';
  if (s === '' || !Number.isFinite(n) || (f.type === 'int' && !Number.isInteger(n))) throw new UsageError(`${name} must be ${kind}${range}, got "${raw}"`);
  if (f.min !== undefined && n < f.min) throw new UsageError(`${name} must be ${kind} ≥ ${f.min}, got ${n}`);
  if (f.max !== undefined && n > f.max) throw new UsageError(`${name} must be ${kind} ≤ ${f.max}, got ${n}`);
  return n;
}

/** Help text for a command, generated from its flag specs so it can never drift. */
export function usage(command: string, synopsis: string, flags: Flags): string {
  const lines = Object.entries(flags).map(([k, f]) => {
    const name = `${f.short ? `-${f.short}, ` : '    '}--${[k, ...(f.aliases ?? [])].join(', --')}${f.type === 'boolean' ? '' : ` <${f.type === 'string' ? (f.choices ? f.choices.join('|') : 'value') : f.type}>`}`;
    return `  ${name.padEnd(34)} ${f.help}`;
  });
  return `usage: maskgen ${command} ${synopsis}\n\n${lines.join('\n')}\n`;
}
