import { defaultHubCache, listCache, removeFromCache } from '@maskgen/hub/node';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import type { Command } from './command.js';

const FLAGS = {
  'cache-dir': { type: 'string', help: 'hub cache folder (default $HF_HUB_CACHE or $HF_HOME/hub)' },
  json: { type: 'boolean', help: 'print JSON' },
} satisfies Flags;

const mb = (n: number) => `${(n / 1024 ** 2).toFixed(1).padStart(10)} MB`;

/**
 * `maskgen cache ls|rm [repo]`: the Hugging Face cache shared with Python, listed and pruned per repo,
 * counting and removing every byte a repo holds (whole files and the ranges kept of range-read ones).
 */
export const cache: Command = {
  summary: 'list or remove cached models (ls | rm <repo>|--all)',
  usage: () => usage('cache', 'ls | rm <owner/name>', FLAGS),
  async run(argv) {
    const all = argv.includes('--all');
    const { flags, args } = parseFlags(
      argv.filter((a) => a !== '--all'),
      FLAGS,
      { min: 1, max: 2, names: 'ls or rm <repo>' },
    );
    const root = flags['cache-dir'] ?? defaultHubCache();
    const repos = await listCache(root);
    const [sub, target] = args;
    if (sub === 'ls') {
      if (flags.json) process.stdout.write(`${JSON.stringify({ cacheDir: root, repos })}\n`);
      else {
        process.stdout.write(`cache: ${root}\n`);
        for (const r of repos) process.stdout.write(`${mb(r.bytes)}  ${r.repoId}${r.rangeBytes ? `  (${mb(r.rangeBytes).trim()} read by range)` : ''}${r.partialBytes ? `  (${mb(r.partialBytes).trim()} unfinished downloads)` : ''}\n`);
        if (!repos.length) process.stdout.write('(empty)\n');
      }
      return 0;
    }
    if (sub === 'rm') {
      if (!target && !all) throw new UsageError('cache rm: expected a repo id (owner/name) or --all');
      const victims = repos.filter((r) => all || r.repoId === target);
      if (!victims.length) throw new UsageError(`cache rm: ${JSON.stringify(target)} is not in the cache at ${root}`);
      for (const v of victims) {
        const freed = await removeFromCache(root, v.repoId);
        process.stderr.write(`removed ${v.repoId} (${mb(freed).trim()})\n`);
      }
      return 0;
    }
    throw new UsageError(`cache: expected "ls" or "rm", got ${JSON.stringify(sub)}`);
  },
};
