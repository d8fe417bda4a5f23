import { MaskgenError } from '@maskgen/core';
import { createTextToImage } from '@maskgen/pipeline';
import type { ModelSpec, WorkerEvent } from '@maskgen/queue';
import { type Flags, parseFlags, usage } from '../args.js';
import { checkOutputPath } from '../output-path.js';
import { ProgressBars } from '../progress-bar.js';
import { loadOptions } from '../model-options.js';
import { MODEL_FLAGS, QUEUE_FLAGS, modelSpec, pinModelSpec, queueModule, queueTarget, specFlags, specRepos } from '../queue-options.js';
import type { Command } from './command.js';

const FLAGS = {
  ...QUEUE_FLAGS,
  output: { type: 'string', short: 'o', help: 'the shared output folder: <index>-<slug>.png + results.jsonl (default .)' },
  ...MODEL_FLAGS,
  concurrency: { type: 'int', min: 1, max: 64, help: 'jobs at once in this process (default 1)' },
  threads: { type: 'int', min: 1, max: 256, help: 'compute threads per job (default: all cores)' },
  runtime: { type: 'string', choices: ['node', 'web'], help: 'onnxruntime-node (default) or onnxruntime-web (wasm)' },
  'stall-interval': { type: 'int', min: 500, max: 3_600_000, help: "ms without a heartbeat before a dead worker's job goes to another (default 30000)" },
  quiet: { type: 'boolean', short: 'q', help: 'no progress, no per-image lines' },
} satisfies Flags;

/**
 * `maskgen worker --queue redis://…`: loads the models once (those named by the flags, else those the
 * queue's producer recorded) and takes jobs until SIGTERM/Ctrl-C, which finishes the image in hand first.
 */
export const worker: Command = {
  summary: 'take queued images from Redis until stopped (models loaded once)',
  usage: () => usage('worker', '--queue redis://host:6379/0 -o <shared dir> [options]', FLAGS),
  async run(argv, { signal }) {
    const { flags } = parseFlags(argv, FLAGS, { min: 0, max: 0, names: 'no arguments' });
    const target = await queueTarget(flags);
    const { queueModelSpec, redactUrl, specMismatch, startImageWorker } = await queueModule();
    const dir = await checkOutputPath(flags.output ?? '.', { flag: '-o/--output (the shared output folder)', folder: true });
    const log = (s: string) => (flags.quiet ? undefined : process.stderr.write(`${s}\n`));
    const named = (['model', 'tokenizer', 'text-encoder', 'config', 'tokenizer-config', 'precision'] as const).some((k) => flags[k] !== undefined);
    const queued = await queueModelSpec(target).catch((cause: Error) => {
      throw new MaskgenError(
        'NOT_FOUND',
        `--queue: cannot reach Redis at ${redactUrl(target.url)} (${cause.message}); start redis-server there or fix the URL`,
        { cause },
      );
    });
    let wanted: ModelSpec;
    if (named) {
      wanted = await modelSpec(flags, signal);
      // Other repos (or config contents) fail before anything is loaded; other commits of the same repos once they are known.
      const diff = queued ? specMismatch(specRepos(queued), specRepos(wanted)) : [];
      if (diff.length)
        throw new MaskgenError(
          'INVALID_ARGUMENT',
          `the queue's jobs are for other models (${diff.join('; ')}); start the worker without model flags to use the queue's, or with matching ones`,
        );
    } else if (queued) {
      wanted = queued;
      // The queue names config files by path and content: the file this worker would read there must be the same.
      const diff = specMismatch(queued, await modelSpec(specFlags(queued), signal));
      if (diff.length)
        throw new MaskgenError('INVALID_ARGUMENT', `the queue's config files differ on this machine (${diff.join('; ')}); give each worker the same files`);
    } else
      throw new MaskgenError(
        'NOT_FOUND',
        `queue "${target.name ?? 'maskgen'}" at ${redactUrl(target.url)} has no jobs yet to say which models to load: run 'maskgen batch' first, or pass --model`,
      );
    if (signal.aborted) return 130;
    const bars = new ProgressBars(process.stderr, flags.quiet);
    const { modelId, options, loadedCommit } = await loadOptions({ ...flags, ...specFlags(wanted) }, specFlags(wanted).model, {
      signal,
      onProgress: bars.handle,
    });
    const t2i = await createTextToImage(modelId, options);
    // What this worker really loaded: each hub repo at the commit its files came from.
    const spec = await pinModelSpec(wanted, async (repoId, revision) => loadedCommit(repoId) ?? `${revision} (not loaded)`);
    const drift = queued ? specMismatch(queued, spec) : [];
    if (drift.length) {
      await t2i.dispose();
      throw new MaskgenError(
        'INVALID_ARGUMENT',
        `the queue's jobs are for other model commits (${drift.join('; ')}): this machine's hub cache resolves the revision to another commit than the producer did; start the worker without model flags to load the queue's commits, or re-queue with the commits wanted`,
      );
    }
    try {
      const onEvent = (e: WorkerEvent) => {
        if (e.type === 'done') log(`${e.skipped ? 'already written' : 'wrote'} ${e.record.file} (seed ${e.record.seed}, ${(e.ms / 1000).toFixed(1)} s)`);
        else if (e.type === 'failed') log(`job ${e.job}${e.file ? ` (${e.file})` : ''} failed${e.final ? '' : ', will retry'}: ${e.error}`);
        else if (e.type === 'reconnecting') log(`Redis unreachable; reconnecting in ${e.delayMs} ms (attempt ${e.attempt})`);
        else if (e.type === 'error') log(`queue: ${e.error}`);
        else if (e.type === 'cleaned' && e.files.length) log(`removed ${e.files.length} partial file(s) left by killed writers: ${e.files.join(', ')}`);
      };
      const w = startImageWorker({
        ...target,
        t2i,
        modelId: t2i.modelId,
        models: spec,
        dir,
        concurrency: flags.concurrency,
        stallMs: flags['stall-interval'],
        onEvent,
      });
      log(
        `worker ${w.id} on queue "${target.name ?? 'maskgen'}" at ${redactUrl(target.url)}, writing to ${dir}; SIGTERM or Ctrl-C finishes the current image and stops`,
      );
      const onStop = () => {
        log('stopping after the current image…');
        void w.stop();
      };
      signal.addEventListener('abort', onStop, { once: true });
      try {
        await w.done;
      } catch (e) {
        throw new MaskgenError('INVALID_ARGUMENT', (e as Error).message, { cause: e });
      } finally {
        signal.removeEventListener('abort', onStop);
      }
      log('worker stopped');
      return 0;
    } finally {
      await t2i.dispose();
    }
  },
};
