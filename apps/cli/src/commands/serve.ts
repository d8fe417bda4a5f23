import { DEFAULT_GENERATOR, createTextToImage } from '@maskgen/pipeline';
import { createImageServer } from '@maskgen/server';
import { type Flags, parseFlags, usage } from '../args.js';
import { UsageError } from '../cli-error.js';
import { MODEL_SOURCE_FLAGS, loadOptions } from '../model-options.js';
import { ProgressBars } from '../progress-bar.js';
import type { Command } from './command.js';

const FLAGS = {
  ...MODEL_SOURCE_FLAGS,
  port: { type: 'int', short: 'p', min: 0, max: 65535, help: 'TCP port (default 8080; 0 picks a free one)' },
  host: { type: 'string', help: 'address to listen on (default 127.0.0.1; give 0.0.0.0 explicitly to accept other machines)' },
  token: { type: 'string', help: 'require "Authorization: Bearer <token>" (default: $MASKGEN_API_TOKEN)' },
  concurrency: { type: 'int', min: 1, max: 64, help: 'generations at once (default 1)' },
  'max-queue': { type: 'int', min: 0, max: 10_000, help: 'requests waiting beyond those running before 429 (default 8)' },
  timeout: { type: 'float', min: 0.001, max: 86_400, help: 'per-request limit in seconds, queue wait included (default 300)' },
  'max-body': { type: 'int', min: 1024, max: 16 * 2 ** 20, help: 'largest request body in bytes (default 65536)' },
  'max-prompt': { type: 'int', min: 1, max: 10_000, help: 'longest prompt in characters (default 1000)' },
  'max-images': { type: 'int', min: 1, max: 64, help: 'largest n per request (default 4)' },
  'max-steps': { type: 'int', min: 1, max: 1000, help: 'most sampling steps a request may ask for (default 100)' },
  cors: { type: 'string', help: 'allow browsers from these origins (comma-separated, or * for any); off by default' },
  'public-url': { type: 'string', help: "base of returned image URLs (default: from the request's Host)" },
  'drain-timeout': { type: 'float', min: 0, max: 86_400, help: 'on SIGTERM, seconds to let accepted work finish before cancelling it (default 60)' },
  runtime: { type: 'string', choices: ['node', 'web'], help: 'onnxruntime-node (default) or onnxruntime-web (wasm)' },
  threads: { type: 'int', min: 1, max: 256, help: 'compute threads' },
  precision: { type: 'string', choices: ['float32', 'int8'], help: 'linear-layer weights: float32 (default) or int8' },
  quiet: { type: 'boolean', short: 'q', help: 'no download/load progress bars' },
} satisfies Flags;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * `maskgen serve`: loads the model once and answers OpenAI's Images API until SIGTERM/SIGINT, then
 * drains (no new work, accepted requests finish) and exits 0.
 */
export const serve: Command = {
  summary: 'serve an OpenAI-compatible image API (POST /v1/images/generations)',
  usage: () => usage('serve', '[options]', FLAGS),
  async run(argv, { signal }) {
    const { flags } = parseFlags(argv, FLAGS, { min: 0, max: 0, names: 'no arguments' });
    const token = flags.token ?? process.env.MASKGEN_API_TOKEN ?? undefined;
    const host = flags.host ?? '127.0.0.1';
    const cors =
      flags.cors === undefined
        ? false
        : flags.cors.trim() === '*'
          ? true
          : flags.cors
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
    if (Array.isArray(cors) && cors.length === 0) throw new UsageError('--cors: expected origins like https://app.example, or *');
    if (flags['public-url'] !== undefined && !/^https?:\/\/[^/]+/.test(flags['public-url']))
      throw new UsageError(`--public-url: expected an http(s) URL, got "${flags['public-url']}"`);
    const log = (line: string) => process.stderr.write(`maskgen serve: ${line}\n`);
    if (!token && !LOOPBACK.has(host)) log(`warning: listening on ${host} without --token: anyone who reaches this port can generate images`);
    const loading = new AbortController();
    const server = createImageServer({
      async load(serverSignal) {
        serverSignal.addEventListener('abort', () => loading.abort(serverSignal.reason), { once: true });
        const bars = new ProgressBars(process.stderr, flags.quiet);
        const { modelId, options } = await loadOptions(flags, flags.model ?? DEFAULT_GENERATOR, { signal: loading.signal, onProgress: bars.handle });
        return createTextToImage(modelId, options);
      },
      token,
      concurrency: flags.concurrency,
      maxQueue: flags['max-queue'],
      timeoutMs: flags.timeout === undefined ? undefined : Math.ceil(flags.timeout * 1000),
      bodyLimit: flags['max-body'],
      maxPromptChars: flags['max-prompt'],
      maxImages: flags['max-images'],
      maxSteps: flags['max-steps'],
      cors,
      publicUrl: flags['public-url'],
      log,
    });
    // A signal stops the server whatever phase it is in; work already accepted is allowed to finish.
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const url = await server.listen({ port: flags.port ?? 8080, host });
    log(`listening on ${url}${token ? ' (bearer token required)' : ''}`);
    const failed = server.ready.then(
      () => false,
      () => true,
    );
    const first = await Promise.race([
      stopped.then(() => 'signal' as const),
      failed.then((f) => (f ? ('failed' as const) : stopped.then(() => 'signal' as const))),
    ]);
    if (first === 'failed') {
      await server.drain({ timeoutMs: 0 });
      await server.ready; // rethrows the load error for the CLI's report
    }
    log('draining: no new requests; waiting for accepted ones to finish');
    await server.drain({ timeoutMs: Math.ceil((flags['drain-timeout'] ?? 60) * 1000) });
    log('stopped');
    return 0;
  },
};
