/** Context every command gets: the process-wide AbortSignal fired by Ctrl-C. */
export interface CommandContext {
  signal: AbortSignal;
}

/** A CLI subcommand. */
export interface Command {
  summary: string;
  usage(): string;
  run(argv: string[], ctx: CommandContext): Promise<number>;
}
