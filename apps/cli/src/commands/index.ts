import { bench } from './bench.js';
import { cache } from './cache.js';
import type { Command } from './command.js';
import { generate } from './generate.js';

/** Every subcommand by name (help lists them in this order). */
export const COMMANDS: Record<string, Command> = {
  generate,
  cache,
  bench,
};
