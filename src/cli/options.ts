import { InvalidArgumentError, Option, type Command } from 'commander';

/** Parses a positive number of seconds from a flag or an environment variable. */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

/** The options every command accepts; defined once, added to the program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--url <url>', 'database URL: postgres://…, pglite:DIR, pglite:memory or pgmem:')
    .option('--json', 'one JSON document on stdout, nothing else there')
    .option('--no-color', 'no colour (also NO_COLOR, and whenever stdout is not a terminal)')
    .option('-v, --verbose', 'more detail, and stack traces on errors')
    .option('-q, --quiet', 'only results and errors')
    .addOption(new Option('--connect-timeout <seconds>', 'give up connecting after this long').argParser(seconds).env('TODO_DB_CONNECT_TIMEOUT'))
    .addOption(new Option('--lock-timeout <seconds>', 'give up waiting for the migration lock after this long').argParser(seconds).env('TODO_DB_LOCK_TIMEOUT'))
    .addOption(new Option('--statement-timeout <seconds>', 'cancel any statement running longer (servers only)').argParser(seconds).env('TODO_DB_STATEMENT_TIMEOUT'))
    .addOption(new Option('--migrations-dir <dir>', 'migrations folder (default: the package\'s migrations/)').env('TODO_DB_MIGRATIONS_DIR'));
}

/** `--yes`, for commands that destroy something. */
export function addYesOption(command: Command): Command {
  return command.option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)');
}
