import { defaultHubCache } from '@maskgen/runtime-node';
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import type { Command } from './command.js';

const FLAGS = {
  'cache-dir': { type: 'string', help: 'hub cache folder (default $HF_HUB_CACHE or $HF_HOME/hub)' },
  json: { type: 'boolean', help: 'print JSON' },
} satisfies Flags;

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

function repoOfFolder(name: string): string | undefined {
  const m = /^models--([^-].*?)--(.+)$/.exec(name);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** `maskgen cache ls|rm [repo]`: the Hugging Face cache shared with Python, listed and pruned per repo. */
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
    const entries = (await readdir(root, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() && repoOfFolder(e.name));
    const [sub, target] = args;
    if (sub === 'ls') {
      const rows = await Promise.all(entries.map(async (e) => ({ repo: repoOfFolder(e.name)!, bytes: await dirSize(join(root, e.name, 'blobs')) })));
      if (flags.json) process.stdout.write(`${JSON.stringify({ cacheDir: root, repos: rows })}\n`);
      else {
        process.stdout.write(`cache: ${root}\n`);
        for (const r of rows) process.stdout.write(`${(r.bytes / 1024 ** 2).toFixed(1).padStart(10)} MB  ${r.repo}\n`);
        if (!rows.length) process.stdout.write('(empty)\n');
      }
      return 0;
    }
    if (sub === 'rm') {
      if (!target && !all) throw new UsageError('cache rm: expected a repo id (owner/name) or --all');
      const victims = entries.filter((e) => all || repoOfFolder(e.name) === target);
      if (!victims.length) throw new UsageError(`cache rm: ${JSON.stringify(target)} is not in the cache at ${root}`);
      for (const v of victims) {
        const p = join(root, v.name);
        if ((await lstat(p)).isDirectory()) await rm(p, { recursive: true, force: true });
        process.stderr.write(`removed ${repoOfFolder(v.name)}\n`);
      }
      return 0;
    }
    throw new UsageError(`cache: expected "ls" or "rm", got ${JSON.stringify(sub)}`);
  },
};
