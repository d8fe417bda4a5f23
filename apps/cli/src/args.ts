import { parseArgs } from 'node:util';
import { UsageError } from './cli-error.js';

/** One flag of a command: its type, how to check it, and its help text. */
export interface FlagSpec {
  type: 'string' | 'boolean' | 'int' | 'float';
  short?: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
  help: string;
}

export type Flags = Record<string, FlagSpec>;

type Parsed<F extends Flags> = { [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : F[K]['type'] extends 'string' ? string : number };

/**
 * Parses and validates a command's flags strictly: unknown flags, missing values, non-numbers and
 * out-of-range numbers are usage errors that name the flag and what it accepts.
 */
export function parseFlags<F extends Flags>(argv: string[], flags: F, positionals: { min: number; max: number; names: string }): { flags: Parsed<F>; args: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(flags).map(([k, f]) => [k, { type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.short ? { short: f.short } : {}) }]),
      ) as never,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(flags)) {
    const raw = (parsed.values as Record<string, unknown>)[k];
    if (raw === undefined) continue;
    if (f.type === 'boolean') out[k] = raw;
    else if (f.type === 'string') {
      if (f.choices && !f.choices.includes(raw as string)) throw new UsageError(`--${k}: expected one of ${f.choices.join(', ')}, got "${raw}"`);
      out[k] = raw;
    } else {
      const s = String(raw).trim();
      const n = Number(s);
      if (s === '' || !Number.isFinite(n) || (f.type === 'int' && !Number.isInteger(n))) {
        throw new UsageError(`--${k}: expected ${f.type === 'int' ? 'an integer' : 'a number'}, got "${raw}"`);
      }
      if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
        throw new UsageError(`--${k}: expected a value in [${f.min ?? '-inf'}, ${f.max ?? 'inf'}], got ${n}`);
      }
      out[k] = n;
    }
  }
  const args = parsed.positionals;
  if (args.length < positionals.min || args.length > positionals.max) {
    throw new UsageError(`expected ${positionals.names}, got ${args.length} argument${args.length === 1 ? '' : 's'}${args.length ? `: ${args.map((a) => `"${a}"`).join(' ')}` : ''}`);
  }
  return { flags: out as Parsed<F>, args };
}

/** Help text for a command, generated from its flag specs so it can never drift. */
export function usage(command: string, synopsis: string, flags: Flags): string {
  const lines = Object.entries(flags).map(([k, f]) => {
    const name = `${f.short ? `-${f.short}, ` : '    '}--${k}${f.type === 'boolean' ? '' : ` <${f.type === 'string' ? (f.choices ? f.choices.join('|') : 'value') : f.type}>`}`;
    return `  ${name.padEnd(34)} ${f.help}`;
  });
  return `usage: maskgen ${command} ${synopsis}\n\n${lines.join('\n')}\n`;
}
