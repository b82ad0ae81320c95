import { InvalidArgumentError, type Command } from 'commander';

/** Parses a positive number of seconds for a command's own option (`health --watch`). */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  // Node's timers overflow past 2^31-1 ms and then fire at once.
  if (n * 1000 > 2 ** 31 - 1) throw new InvalidArgumentError('expected at most 2147483 seconds (about 24 days)');
  return n;
}

/**
 * The options every command accepts; defined once, added to the program. Values stay
 * raw strings: the config resolver (src/config) parses and range-checks them together
 * with the environment, .env and the config file.
 */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--url <url>', 'database URL: postgres://…, pglite:DIR, pglite:memory or pgmem:')
    .option('--json', 'one JSON document on stdout, nothing else there')
    .option('--no-color', 'no colour (also NO_COLOR, and whenever stdout is not a terminal)')
    .option('-v, --verbose', 'more detail, and stack traces on errors')
    .option('-q, --quiet', 'only results and errors')
    .option('--env <name>', 'also read .env.<name> after .env (as kysely-ctl --environment)')
    .option('--connect-timeout <seconds>', 'give up connecting after this long (env: TODO_DB_CONNECT_TIMEOUT)')
    .option('--lock-timeout <seconds>', 'give up waiting for the migration lock after this long (env: TODO_DB_LOCK_TIMEOUT)')
    .option('--statement-timeout <seconds>', 'cancel any statement running longer, servers only (env: TODO_DB_STATEMENT_TIMEOUT)')
    .option('--migrations-dir <dir>', "migrations folder (env: TODO_DB_MIGRATIONS_DIR; default: the config file's, else the package's migrations/)");
}

/** `--yes`, for commands that destroy something. */
export function addYesOption(command: Command): Command {
  return command.option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)');
}
