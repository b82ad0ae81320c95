import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { maskSecrets } from '../connection/target.js';
import type { App } from './app.js';
import { registerArchive } from './commands/archive.js';
import { registerBackup } from './commands/backup.js';
import { registerCleanup } from './commands/cleanup.js';
import { registerHealth } from './commands/health.js';
import { registerMigrate } from './commands/migrate.js';
import { registerMonitor } from './commands/monitor.js';
import { registerRestore } from './commands/restore.js';
import { registerRls } from './commands/rls.js';
import { registerSchema } from './commands/schema.js';
import { registerSeed } from './commands/seed.js';
import { registerVerify } from './commands/verify.js';
import { renderError } from './errors.js';
import { interruptLine } from './graceful-stop.js';
import { addGlobalOptions } from './options.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** Builds the commander program; every command registers itself here. */
export function buildProgram(app: App): Command {
  const program = new Command('todo-db')
    .description('Schema, row-level security, seed data, health and verification for the Todo app database')
    .version(version, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  addGlobalOptions(program);
  registerMigrate(program, app);
  registerRls(program, app);
  registerSeed(program, app);
  registerCleanup(program, app);
  registerHealth(program, app);
  registerMonitor(program, app);
  registerVerify(program, app);
  registerSchema(program, app);
  registerBackup(program, app);
  registerRestore(program, app);
  registerArchive(program, app);
  // Subcommands inherit the exit override and quiet error output.
  const inherit = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ outputError: () => undefined });
    cmd.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  return program;
}

/** Runs the CLI and returns the exit code: the single exit point of every command. */
export async function main(argv: readonly string[]): Promise<number> {
  const app: App = { secrets: collectSecrets(argv), exitCode: 0 };
  const program = buildProgram(app);
  // Ctrl-C: leaving closes the connection, so the server rolls back the open transaction.
  const interrupted = () => {
    interruptLine('todo-db: interrupted; the step in progress was rolled back (run the command again to continue)');
    process.exit(130);
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  // `todo-db … | head` closes the pipe early: stop quietly, not with an EPIPE trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(app.exitCode);
  });
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return app.exitCode;
  } catch (error) {
    if (error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')) {
      return 0;
    }
    const rendered = renderError(error, app.secrets);
    if (json) process.stdout.write(JSON.stringify(rendered.json, null, 2) + '\n');
    process.stderr.write(rendered.line + '\n');
    if (verbose && error instanceof Error && error.stack) process.stderr.write(maskSecrets(error.stack, app.secrets) + '\n');
    return rendered.exitCode;
  }
}

/** Passwords that may appear in messages: from --url and the environment. */
function collectSecrets(argv: readonly string[]): string[] {
  const urls = [process.env.DATABASE_URL, process.env.DATABASE_URL_UNPOOLED];
  argv.forEach((arg, i) => {
    if (arg === '--url') urls.push(argv[i + 1]);
    else if (arg.startsWith('--url=')) urls.push(arg.slice('--url='.length));
  });
  const secrets = [process.env.PGPASSWORD];
  for (const url of urls) {
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:([^@\s]*)@/i.exec(url ?? '')?.[1];
    if (password) {
      secrets.push(password);
      try {
        secrets.push(decodeURIComponent(password));
      } catch {
        // a malformed escape: the raw form above still masks it
      }
    }
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
}
