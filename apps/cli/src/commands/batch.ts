import { parsePromptList, planPromptItems } from '@maskgen/pipeline';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { checkOutputPath } from '../output-path.js';
import { MODEL_FLAGS, QUEUE_FLAGS, hubCommit, modelSpec, pinModelSpec, queueModule, queueTarget } from '../queue-options.js';
import type { Command } from './command.js';
import { readPromptFile } from './generate.js';

const FLAGS = {
  ...QUEUE_FLAGS,
  output: { type: 'string', short: 'o', help: 'the shared output folder the workers write to (checked for images already made; default .)' },
  ...MODEL_FLAGS,
  seed: {
    type: 'int',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    help: 'base seed; each image gets its own, as with generate --prompts (default: random, printed)',
  },
  steps: { type: 'int', min: 1, max: 1000, aliases: ['num-inference-steps'], help: "sampling steps (default: the model's)" },
  guidance: { type: 'float', min: 0, max: 100, aliases: ['guidance-scale'], help: 'classifier-free guidance scale' },
  temperature: { type: 'float', min: 0, max: 100, help: 'sampling temperature' },
  aesthetic: { type: 'float', min: 0, max: 10, help: 'aesthetic score micro-condition (default 6.5)' },
  n: { type: 'int', short: 'n', min: 1, max: 64, aliases: ['num-images-per-prompt'], help: 'images per prompt (default 1)' },
  json: { type: 'boolean', help: 'print the counts as JSON on stdout' },
} satisfies Flags;

/**
 * `maskgen batch prompts.txt --queue redis://…`: one job per image, named by a content hash, so running
 * it twice (or after a crash) queues nothing twice. Items already in the output folder are not queued.
 */
export const batch: Command = {
  summary: 'queue a prompt file on Redis for `maskgen worker`s (one job per image)',
  usage: () => usage('batch', 'prompts.txt --queue redis://host:6379/0 -o <shared dir> [options]', FLAGS),
  async run(argv, { signal }) {
    const { flags, args } = parseFlags(argv, FLAGS, { min: 1, max: 1, names: 'one prompt file' });
    const target = await queueTarget(flags);
    const { enqueueItems, openImageQueue, redactUrl } = await queueModule();
    const dir = await checkOutputPath(flags.output ?? '.', { flag: '-o/--output (the shared output folder)', folder: true });
    const list = parsePromptList(await readPromptFile(args[0], signal));
    if (list.length === 0) throw new UsageError(`${JSON.stringify(args[0])} holds no prompts (only blank or # lines)`);
    const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
    const items = planPromptItems(list, seed, flags.n ?? 1);
    const settings = { steps: flags.steps, guidance: flags.guidance, temperature: flags.temperature, aestheticScore: flags.aesthetic };
    // Branches (main) become the commits they point to now: every worker must load exactly these.
    const models = await pinModelSpec(await modelSpec(flags, signal), (repo, revision, file) => hubCommit(repo, revision, file, signal));
    const q = await openImageQueue(target);
    try {
      const s = await enqueueItems(q, items, models, settings, dir);
      if (flags.json) process.stdout.write(`${JSON.stringify({ queue: q.queue.name, seed, images: items.length, ...s })}\n`);
      else {
        process.stderr.write(
          `${items.length} images from ${list.length} prompts (seed ${seed}) → queue "${q.queue.name}" at ${redactUrl(target.url)}: ` +
            `${s.added} new, ${s.done} already done, ${s.pending} pending${s.failed ? `, ${s.failed} failed (maskgen queue retry-failed)` : ''}${s.requeued ? `, ${s.requeued} re-queued (file missing)` : ''}\n`,
        );
      }
      return 0;
    } finally {
      await q.close();
    }
  },
};
