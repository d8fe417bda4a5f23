import { defaultHubCache, listCache, removeFromCache } from '@maskgen/hub/node';
import { DiskSessionCache } from '@maskgen/runtime-node';
import { join } from 'node:path';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { cliSessionCache } from '../runtime-choice.js';
import type { Command } from './command.js';

const FLAGS = {
  'cache-dir': { type: 'string', help: 'hub cache folder (default $HF_HUB_CACHE or $HF_HOME/hub)' },
  json: { type: 'boolean', help: 'print JSON' },
} satisfies Flags;

const mb = (n: number) => `${(n / 1024 ** 2).toFixed(1).padStart(10)} MB`;

/**
 * `maskgen cache ls|rm [repo]`: the Hugging Face cache shared with Python, listed and pruned per repo,
 * counting and removing every byte a repo holds (whole files and the ranges kept of range-read ones),
 * and the built-session cache beside it (entries listed by id; removing a repo removes its entries).
 */
export const cache: Command = {
  summary: 'list or remove cached models and built sessions (ls | rm <repo>|<session id>|--all)',
  usage: () => usage('cache', 'ls | rm <owner/name>|<session id>', FLAGS),
  async run(argv) {
    const all = argv.includes('--all');
    const { flags, args } = parseFlags(
      argv.filter((a) => a !== '--all'),
      FLAGS,
      { min: 1, max: 2, names: 'ls or rm <repo>' },
    );
    const root = flags['cache-dir'] ?? defaultHubCache();
    const repos = await listCache(root);
    const sessionDir = cliSessionCache(process.env, root);
    const sessions = sessionDir ? new DiskSessionCache(sessionDir) : undefined;
    const entries = (await sessions?.list()) ?? [];
    const [sub, target] = args;
    if (sub === 'ls') {
      if (flags.json) process.stdout.write(`${JSON.stringify({ cacheDir: root, repos, sessions: { dir: sessionDir || null, entries } })}\n`);
      else {
        process.stdout.write(`cache: ${root}\n`);
        for (const r of repos)
          process.stdout.write(
            `${mb(r.bytes)}  ${r.repoId}${r.rangeBytes ? `  (${mb(r.rangeBytes).trim()} read by range)` : ''}${r.partialBytes ? `  (${mb(r.partialBytes).trim()} unfinished downloads)` : ''}\n`,
          );
        if (!repos.length) process.stdout.write('(empty)\n');
        if (entries.length) process.stdout.write(`built sessions: ${sessionDir}\n`);
        for (const e of entries)
          process.stdout.write(`${mb(e.bytes)}  session ${e.id.slice(0, 12)}  ${e.model}${e.complete ? `  ${e.createdAt}` : '  (unfinished write)'}\n`);
      }
      return 0;
    }
    if (sub === 'rm') {
      if (!target && !all) throw new UsageError('cache rm: expected a repo id (owner/name), a session id (cache ls) or --all');
      const victims = repos.filter((r) => all || r.repoId === target);
      const ofRepos = victims.map((v) => join(root, `models--${v.repoId.replace('/', '--')}`, 'blobs'));
      const doomed = entries.filter(
        (e) =>
          all || (target !== undefined && target.length >= 6 && e.id.startsWith(target)) || e.sources.some((s) => ofRepos.some((r) => s.startsWith(`${r}/`))),
      );
      if (!victims.length && !doomed.length) throw new UsageError(`cache rm: ${JSON.stringify(target)} is not a repo or session id in the cache at ${root}`);
      for (const v of victims) {
        const freed = await removeFromCache(root, v.repoId);
        process.stderr.write(`removed ${v.repoId} (${mb(freed).trim()})\n`);
      }
      for (const e of doomed) {
        const freed = await sessions!.remove([e.id]);
        process.stderr.write(`removed session ${e.id.slice(0, 12)} ${e.model} (${mb(freed).trim()})\n`);
      }
      return 0;
    }
    throw new UsageError(`cache: expected "ls" or "rm", got ${JSON.stringify(sub)}`);
  },
};
