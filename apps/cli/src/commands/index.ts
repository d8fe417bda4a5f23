import { batch } from './batch.js';
import { bench } from './bench.js';
import { cache } from './cache.js';
import type { Command } from './command.js';
import { edit } from './edit.js';
import { exportCommand } from './export.js';
import { generate } from './generate.js';
import { queue } from './queue.js';
import { serve } from './serve.js';
import { decode, encode, reconstruct } from './tokenizer-commands.js';
import { worker } from './worker.js';

/** Every subcommand by name (help lists them in this order). */
export const COMMANDS: Record<string, Command> = {
  generate,
  reconstruct,
  encode,
  decode,
  edit,
  cache,
  bench,
  export: exportCommand,
  serve,
  batch,
  worker,
  queue,
};
