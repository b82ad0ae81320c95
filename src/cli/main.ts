import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { maskSecrets } from '../connection/target.js';
import type { App } from './app.js';
import { registerArchive } from './commands/archive.js';
import { registerBackup } from './commands/backup.js';
import { registerCleanup } from './commands/cleanup.js';
import { registerHealth } from './commands/health.js';
import { registerInit } from './commands/init.js';
import { registerMigrate } from './commands/migrate.js';
import { registerMonitor } from './commands/monitor.js';
import { registerRestore } from './commands/restore.js';
import { registerRls } from './commands/rls.js';
import { registerSchema } from './commands/schema.js';
import { registerSeed } from './commands/seed.js';
import { registerVerify } from './commands/verify.js';
import { renderError } from './errors.js';
import { rememberSettings, type GlobalOptions } from './context.js';
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
  // Settings are resolved once, only when a command runs (never for --help or --version).
  program.hook('preAction', async (_program, command) => {
    const { resolveSettings, settingsError } = await import('../config/resolve.js');
    const g = command.optsWithGlobals<GlobalOptions>();
    const flags = { url: g.url, env: g.env, connectTimeout: g.connectTimeout, lockTimeout: g.lockTimeout, statementTimeout: g.statementTimeout, migrationsDir: g.migrationsDir };
    const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
    const { settings, problems } = await resolveSettings({ flags: defined, env: process.env, root: process.cwd() });
    app.secrets.push(...settings.secrets);
    // init writes the config: a broken or existing one is its own message, not a settings error.
    if (problems.length > 0 && command.name() !== 'init') throw settingsError(problems);
    rememberSettings(command, settings);
  });
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
  registerInit(program, app);
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
  // The resolver adds the passwords it finds (--url, DATABASE_URL…, PGPASSWORD) before any command runs.
  const app: App = { secrets: [], exitCode: 0 };
  const program = buildProgram(app);
  // Ctrl-C: leaving closes the connection, so the server rolls back the open transaction.
  const interrupted = () => {
    process.stderr.write('todo-db: interrupted; the step in progress was rolled back (run the command again to continue)\n');
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
