import { createTextToImage } from '@maskgen/pipeline';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BYTE_CHARS_IN_VOCAB_ORDER } from '@maskgen/clip-text';
import { loadOptions } from '../model-options.js';
import { encodePng, writeAtomic } from '../png-file.js';
import { median } from './measure.js';
import { clipTextShapes, maskgenKlShapes, maskgenVqShapes, tatitokShapes, writeRandomCheckpoint } from './random-checkpoints.js';

/** What a cold-start component measured: whole `maskgen generate` processes against one image in a warm process. */
export interface ColdResult {
  key: string;
  name: string;
  /** The command line of each timed process (paths as written). */
  command: string;
  /** A process without the session cache (every session optimised from the checkpoint, as before the cache). */
  noCacheMs: number;
  /** The first process with an empty cache: builds and writes every entry. */
  firstMs: number;
  /** Processes with the cache filled (the cold start users see from the second run on). */
  coldMs: number[];
  /** One image in a process that has everything loaded (after one warm-up image), PNG written. */
  warmMs: number;
  /** Loading in that warm process (sessions from the cache). */
  warmLoadMs: number;
  /** median(coldMs) / warmMs: the issue's target is ≤ 1.3. */
  ratio: number;
  cacheBytes: number;
}

/**
 * A CLIP folder needs tokenizer files; the bench has no download, so it writes an open_clip-format
 * merges file of the real size (48 894 merges of byte pairs, vocabulary 49 408) that loads the same way.
 */
function writeSyntheticVocab(dir: string): void {
  const chars = BYTE_CHARS_IN_VOCAB_ORDER;
  const lines = ['"bpe_simple_vocab_16e6.txt#version: 0.2" (synthetic, for benchmarks)'];
  for (let i = 0; lines.length <= 48894; i++) lines.push(`${chars[Math.floor(i / 256)]} ${chars[i % 256]}`);
  writeFileSync(join(dir, 'bpe_simple_vocab_16e6.txt.gz'), gzipSync(`${lines.join('\n')}\n`));
}

function checkpoints(dir: string, kind: 'vq' | 'kl') {
  const folder = (name: string) => join(dir, name);
  writeRandomCheckpoint(folder('clip'), clipTextShapes());
  writeSyntheticVocab(folder('clip'));
  const tok = tatitokShapes({ enc: 'base', dec: 'large', tokens: kind === 'vq' ? 128 : 32, mode: kind === 'vq' ? 'vq' : 'vae' });
  const gen = kind === 'vq' ? maskgenVqShapes(1024, 16, 16) : maskgenKlShapes(1024, 16, 16, 8, 1024);
  const names = { tokenizer: kind === 'vq' ? 'tatitok_bl128_vq' : 'tatitok_bl32_vae', model: kind === 'vq' ? 'maskgen_vq_l' : 'maskgen_kl_l' };
  writeRandomCheckpoint(folder(names.tokenizer), tok.shapes, tok.config);
  writeRandomCheckpoint(folder(names.model), gen.shapes, gen.config);
  return { model: folder(names.model), tokenizer: folder(names.tokenizer), 'text-encoder': folder('clip') };
}

/** Runs the CLI once and returns its wall time from spawn to exit; fails loudly on a non-zero exit. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t = performance.now();
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`maskgen ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * `cold-vq-l` / `cold-kl-l`: real `maskgen generate` processes on local real-size random checkpoints
 * (the model's default steps unless `steps` is given), interleaved with a warm image in this process:
 * no cache, first (fills the cache), cold, warm, cold.
 */
export async function measureColdStart(key: string, o: { dir: string; steps?: number; threads?: number; say: (s: string) => void }): Promise<ColdResult> {
  const kind = key === 'cold-vq-l' ? 'vq' : 'kl';
  const paths = checkpoints(o.dir, kind);
  const cache = join(o.dir, 'session-cache');
  rmSync(cache, { recursive: true, force: true });
  const out = join(o.dir, 'cold.png');
  const flags = [
    '--tokenizer',
    paths.tokenizer,
    '--text-encoder',
    paths['text-encoder'],
    ...(o.steps ? ['--steps', String(o.steps)] : []),
    ...(o.threads ? ['--threads', String(o.threads)] : []),
  ];
  const args = ['generate', 'a red fox in the snow', '--model', paths.model, ...flags, '--seed', '1', '-q', '-o', out];
  const before = process.env.MASKGEN_SESSION_CACHE;
  const env = { ...process.env, HF_HUB_OFFLINE: '1', HF_HOME: join(o.dir, 'hf-home'), MASKGEN_SESSION_CACHE: cache };
  try {
    const noCacheMs = await timeProcess(args, { ...env, MASKGEN_SESSION_CACHE: '0' });
    o.say(`  ${key}: no cache ${(noCacheMs / 1000).toFixed(1)} s`);
    const firstMs = await timeProcess(args, env);
    const coldMs = [await timeProcess(args, env)];
    o.say(`  ${key}: first (writes the cache) ${(firstMs / 1000).toFixed(1)} s, cold ${(coldMs[0] / 1000).toFixed(1)} s`);
    process.env.MASKGEN_SESSION_CACHE = cache; // the warm process loads as the CLI does, from the same entries
    const t = performance.now();
    const ac = new AbortController();
    const { modelId, options } = await loadOptions(
      { ...Object.fromEntries(Object.entries(paths).filter(([k]) => k !== 'model')), threads: o.threads },
      paths.model,
      { signal: ac.signal, onProgress: () => undefined },
    );
    const t2i = await createTextToImage(modelId, options);
    const warmLoadMs = performance.now() - t;
    let warmMs = 0;
    try {
      for (let i = 0; i < 2; i++) {
        const w = performance.now();
        const r = await t2i.generate(['a red fox in the snow'], { seed: 1, steps: o.steps });
        await writeAtomic(out, encodePng(r.images[0], { prompt: 'a red fox in the snow' }));
        warmMs = performance.now() - w;
      }
    } finally {
      await t2i.dispose();
    }
    coldMs.push(await timeProcess(args, env));
    const cacheBytes = (await options.runtime.sessionCache?.list())?.reduce((s, e) => s + e.bytes, 0) ?? 0;
    const command = `maskgen ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
    const name = `cold start, ${kind === 'vq' ? 'maskgen-vq-l + bl128-vq' : 'maskgen-kl-l + bl32-vae'} + clip from local folders${o.steps ? `, ${o.steps} steps` : ', default steps'}`;
    return { key, name, command, noCacheMs, firstMs, coldMs, warmMs, warmLoadMs, ratio: median(coldMs) / warmMs, cacheBytes };
  } finally {
    // The entries are copies of the weights in ORT's layout (gigabytes): never left behind.
    rmSync(cache, { recursive: true, force: true });
    if (before === undefined) delete process.env.MASKGEN_SESSION_CACHE;
    else process.env.MASKGEN_SESSION_CACHE = before;
  }
}

/** The report lines of a cold-start result. */
export function formatCold(r: ColdResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    r.name,
    `  cold process ${s(median(r.coldMs))} (runs ${r.coldMs.map(s).join(', ')}) vs warm image ${s(r.warmMs)}: ${r.ratio.toFixed(2)}× (target ≤ 1.3×)`,
    `  without the session cache ${s(r.noCacheMs)} (${(r.noCacheMs / r.warmMs).toFixed(2)}×); first run writing it ${s(r.firstMs)}; cache ${(r.cacheBytes / 1024 ** 3).toFixed(2)} GiB; warm load ${s(r.warmLoadMs)}`,
    `  command: ${r.command}`,
  ].join('\n');
}

/** The cold-start components `maskgen bench --models` knows. */
export const COLD_COMPONENTS = ['cold-vq-l', 'cold-kl-l'] as const;
