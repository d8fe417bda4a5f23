import { GOLDEN_IDS } from '@maskgen/mock-hub';
import { describe, expect, it } from 'vitest';
import { useCliEnv } from './cli-harness.js';

const cli = useCliEnv();

describe('maskgen help', () => {
  it('lists every command with examples; commands print their options with defaults', async () => {
    const top = await cli.run(['help']);
    expect(top.status).toBe(0);
    for (const c of ['generate', 'reconstruct', 'encode', 'decode', 'edit', 'export', 'cache', 'bench'])
      expect(top.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    for (const c of ['decode', 'export', 'generate', 'edit', 'serve', 'batch', 'worker']) {
      const own = await cli.run([c, '--help']);
      expect(own.status, c).toBe(0);
      // One definition of the model flags: every command says a text encoder may also be a file.
      expect(own.stdout, c).toMatch(
        new RegExp(`^usage: maskgen ${c} .*\\n\\n.*--text-encoder <value> +CLIP repo id\\[@rev\\], folder, checkpoint file .*\\(default `, 's'),
      );
      if (c !== 'decode') {
        expect(own.stdout, c).toMatch(
          /--model <value> +generator repo id\[@rev\], folder, checkpoint file \(\.bin\/\.safetensors\) or owner\/name:file\.bin\[@rev\]/,
        );
        expect(own.stdout, c).toMatch(/--config <value> +generator config \(YAML or JSON/);
        expect(own.stdout, c).toMatch(/--tokenizer-config <value> +tokenizer config \(YAML or JSON/);
      }
    }
    expect(top.stdout).toMatch(/examples:/);
    expect(top.stdout).toMatch(/HF_ENDPOINT/);
  }, 60_000);
});

describe('bad arguments to the other commands: usage errors that say what is accepted', () => {
  const cases: [string, string[], RegExp, number][] = [
    ['encode without an image', ['encode'], /expected one input image \(PNG or JPEG\), got 0 arguments/, 2],
    ['reconstruct with two images', ['reconstruct', 'a.png', 'b.png'], /expected one input image \(PNG or JPEG\), got 2 arguments: "a.png" "b.png"/, 2],
    ['decode without a token file', ['decode'], /expected one tokens file \(.json or .npy\)/, 2],
    ['decode with a bad runtime', ['decode', 't.json', '--runtime', 'cuda'], /--runtime: expected one of node, web, got "cuda"/, 2],
    ['edit without a prompt', ['edit', 'in.png', '--keep', '0-3'], /expected an input PNG and a prompt, got 1 argument/, 2],
    ['edit with a malformed --keep', ['edit', 'in.png', 'x', '--keep', '0-a'], /--keep: expected indices or ranges like "0-63,70", got "0-a"/, 2],
    ['edit with a fractional seed', ['edit', 'in.png', 'x', '--keep', '1', '--seed', '1.5'], /--seed must be an integer ≥ 0, got "1.5"/, 2],
    ['export without -o', ['export'], /-o\/--output: required/, 2],
    ['export with a positional', ['export', 'dir', '-o', 'x'], /expected no positional arguments, got 1 argument: "dir"/, 2],
    ['export of a tokenizer', ['export', '-o', 'x', '--model', GOLDEN_IDS.vqTokenizer, '-q'], /is a tokenizer, not a generator/, 2],
    ['export of an unknown repo', ['export', '-o', 'x', '--model', 'turkeyju/missing_repo', '-q'], /missing_repo.*not found|not found.*missing_repo/i, 1],
    ['cache with a bad subcommand', ['cache', 'purge'], /cache: expected "ls" or "rm", got "purge"/, 2],
    ['bench with an unknown component', ['bench', '--models', 'nope'], /--models: unknown component "nope"/, 2],
    ['bench with zero steps', ['bench', '--steps', '0'], /--steps must be an integer ≥ 1, got 0/, 2],
    ['threads out of range', ['encode', 'a.png', '--threads', '0'], /--threads must be an integer ≥ 1, got 0/, 2],
  ];
  for (const [name, args, re, status] of cases) {
    it(name, async () => {
      const r = await cli.run(args);
      expect(r.stderr).toMatch(re);
      expect(r.status).toBe(status);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }, 30_000);
  }
});
