import type { QueueStatus } from '@maskgen/queue';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { QUEUE_FLAGS, queueModule, queueTarget } from '../queue-options.js';
import type { Command } from './command.js';

const FLAGS = {
  ...QUEUE_FLAGS,
  all: { type: 'boolean', help: 'drain: remove the whole queue (history, failures, its models), not only the jobs not started' },
  json: { type: 'boolean', help: 'print JSON on stdout' },
} satisfies Flags;

const ACTIONS = ['status', 'retry-failed', 'drain'] as const;

function duration(s: number): string {
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

function describe(st: QueueStatus, url: string, redactUrl: (u: string) => string): string {
  const c = st.counts;
  const lines = [
    `queue "${st.name}" at ${redactUrl(url)}: ${st.workers} worker${st.workers === 1 ? '' : 's'} connected`,
    `  waiting ${c.waiting + c.prioritized}  active ${c.active}  delayed ${c.delayed}  completed ${c.completed}  failed ${c.failed}`,
    `  throughput ${st.perMinute.toFixed(1)} images/min; ETA ${st.etaSeconds === undefined ? 'unknown (nothing finishing)' : duration(st.etaSeconds)}`,
  ];
  if (st.models)
    lines.push(
      `  models: ${st.models.generator}${st.models.tokenizer ? ` + ${st.models.tokenizer}` : ''}${st.models.textEncoder ? ` + ${st.models.textEncoder}` : ''} (${st.models.precision})`,
    );
  for (const f of st.failures)
    lines.push(`  failed ${f.id}${f.file ? ` ${f.file}` : ''} after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}: ${f.error}`);
  return `${lines.join('\n')}\n`;
}

/** `maskgen queue status|retry-failed|drain`: look after a queue without touching the workers. */
export const queue: Command = {
  summary: 'queue status (counts, throughput, ETA, failures), retry-failed, drain',
  usage: () => usage('queue', `${ACTIONS.join('|')} --queue redis://host:6379/0 [options]`, FLAGS),
  async run(argv) {
    const { flags, args } = parseFlags(argv, FLAGS, { min: 1, max: 1, names: `one action (${ACTIONS.join(', ')})` });
    const action = args[0] as (typeof ACTIONS)[number];
    if (!ACTIONS.includes(action)) throw new UsageError(`queue: unknown action "${args[0]}"; expected one of ${ACTIONS.join(', ')}`);
    if (flags.all && action !== 'drain') throw new UsageError('--all applies to drain');
    const target = await queueTarget(flags);
    const { drainQueue, openImageQueue, queueStatus, redactUrl, retryFailed } = await queueModule();
    const q = await openImageQueue(target);
    try {
      const out = (json: unknown, text: string) => (flags.json ? process.stdout.write(`${JSON.stringify(json)}\n`) : process.stdout.write(text));
      if (action === 'status') {
        const st = await queueStatus(q);
        out(st, describe(st, target.url, redactUrl));
      } else if (action === 'retry-failed') {
        const n = await retryFailed(q);
        out({ retried: n }, `${n} failed job${n === 1 ? '' : 's'} moved back to waiting\n`);
      } else {
        const n = await drainQueue(q, flags.all);
        out(
          { removed: n },
          flags.all ? `queue "${q.queue.name}" removed (${n} jobs)\n` : `${n} job${n === 1 ? '' : 's'} not yet started removed; running jobs finish\n`,
        );
      }
      return 0;
    } finally {
      await q.close();
    }
  },
};
