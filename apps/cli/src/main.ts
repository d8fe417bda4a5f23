import { readFileSync } from 'node:fs';
import { UsageError, reportError } from './cli-error.js';
import { COMMANDS } from './commands/index.js';
import { MAX_PROMPT_CHARS } from '@maskgen/pipeline';

/** Longest command line accepted, in characters (see the check in `main`). */
const MAX_ARGV_CHARS = 20_000;

/** The installed package's version (dist/main.js sits one folder below package.json, in the repo and in a tarball). */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `maskgen — MaskGen text-to-image and TA-TiTok tokenizers, from the official checkpoints

usage: maskgen <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}

examples:
  maskgen generate "a watercolor fox in the snow" --seed 7 -o fox.png
  maskgen generate "a fox" "a cat" -n 2 --grid -o sheet.png
  maskgen generate --prompts prompts.txt -o out/ --seed 1     # out/0001-<slug>.png …, out/results.jsonl
  maskgen reconstruct photo.jpg -o photo-rec.png --text "a photo of a dog"
  maskgen encode photo.png -o tokens.json && maskgen decode tokens.json --text "a dog in the rain"
  maskgen edit photo.png "the same scene at night" --keep 0-63 --seed 1 -o night.png
  maskgen export -o ./onnx --model turkeyju/generator_maskgen_vq_l
  maskgen batch prompts.txt --queue redis://host:6379/0 -o /shared/out --seed 1   # one job per image
  maskgen worker --queue redis://host:6379/0 -o /shared/out                      # on each machine
  maskgen queue status --queue redis://host:6379/0

Run 'maskgen help <command>' (or 'maskgen <command> --help') for a command's options; 'maskgen --version' for the version.
Models download from the Hugging Face hub (HF_ENDPOINT selects a mirror, HF_HOME/HF_HUB_CACHE the cache,
HF_HUB_OFFLINE=1 uses only cached files); --model also accepts a local folder.
Progress goes to stderr; HF_HUB_DISABLE_PROGRESS_BARS=1 or -q turns it off, NO_COLOR=1 keeps it plain.
`;

/** `--debug` anywhere (or MASKGEN_DEBUG=1) prints stack traces of unexpected errors; it is taken out of argv. */
const DEBUG = process.argv.includes('--debug') || /^(1|true|yes)$/i.test(process.env.MASKGEN_DEBUG ?? '');

/** Entry point: dispatches to a command and turns every failure into a message and an exit status. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (name === 'help' && rest.length) {
    const c = COMMANDS[rest[0]];
    if (!c) throw new UsageError(`help: unknown command "${rest[0]}"; expected one of ${Object.keys(COMMANDS).join(', ')}`);
    process.stdout.write(c.usage());
    return 0;
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  // onnxruntime-node 1.30 crashes (SIGSEGV) while creating a session when the process's argv is about
  // 30,000 characters: long text never reaches it. Prompts that long belong in a --prompts file.
  const argvChars = argv.reduce((n, a) => n + a.length + 1, 0);
  if (argvChars > MAX_ARGV_CHARS) {
    throw new UsageError(
      `the command line is ${argvChars} characters; the limit is ${MAX_ARGV_CHARS} (each prompt at most ${MAX_PROMPT_CHARS}); put long or many prompts in a file and pass --prompts file.txt`,
    );
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(', ')}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage());
    return 0;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await command.run(rest, { signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2).filter((a) => a !== '--debug')).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = reportError(e, undefined, { debug: DEBUG });
  },
);
