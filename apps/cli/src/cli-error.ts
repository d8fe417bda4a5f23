import { MaskgenError, isMaskgenError } from '@maskgen/core';

/** A usage mistake (unknown flag, bad value): exit status 2 and the command's usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Hints for error codes where the fix is not obvious from the message. */
const HINTS: Partial<Record<MaskgenError['code'], string>> = {
  NETWORK:
    'The Hugging Face hub could not be reached. Point HF_ENDPOINT at a mirror (HF_ENDPOINT=https://mirror.example maskgen …), ' +
    'use files already in the cache with HF_HUB_OFFLINE=1, or pass a local folder with --model ./path/to/repo.',
  OFFLINE: 'Offline mode is on (HF_HUB_OFFLINE=1) and the file is not cached: unset it, set HF_ENDPOINT to a mirror, or pass a local folder.',
  RUNTIME_LIMIT: 'Try --precision int8 (a quarter of the weight bytes), or --runtime node, which maps weights from disk without the WebAssembly memory limit.',
};

/**
 * Removes secrets from text before it is printed: credentials in URLs (`https://user:pass@host`),
 * Hugging Face tokens (`hf_…`) and bearer tokens. Every line the CLI prints about an error goes through it.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']*@/gi, '$1***@')
    .replace(/\bhf_[A-Za-z0-9]{6,}/g, 'hf_***')
    .replace(/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1***');
}

/** Prints an error for a person and returns the process exit status. */
export function reportError(e: unknown, write: (s: string) => void = (s) => process.stderr.write(s), opts: { debug?: boolean } = {}): number {
  const out = write;
  write = (s) => out(redactSecrets(s));
  if (e instanceof UsageError) {
    write(`maskgen: ${e.message}\nRun 'maskgen help' for usage.\n`);
    return 2;
  }
  if (isMaskgenError(e)) {
    if (e.code === 'ABORTED') {
      write('maskgen: cancelled\n');
      return 130;
    }
    const hint = HINTS[e.code];
    write(`maskgen: ${e.message}\n${hint ? `hint: ${hint}\n` : ''}`);
    if (opts.debug && e.stack) write(`${e.stack}\n`);
    return 1;
  }
  // Only --debug shows a stack trace; otherwise one line, plus where to look.
  if (opts.debug) write(`maskgen: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
  else write(`maskgen: unexpected error: ${(e as Error)?.message ?? String(e)}\nhint: run again with --debug for details, and report it if it persists\n`);
  return 1;
}
