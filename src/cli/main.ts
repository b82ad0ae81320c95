import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { maskSecrets } from '../connection/target.js';
import { elapsedMs, type App } from './app.js';
import { commandPath } from './command.js';
import { addHelp, requireSubcommands } from './help.js';
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
import { registerCompletion } from './completion.js';
import { renderError } from './errors.js';
import { UsageError } from '../errors.js';
import { rememberSettings, type GlobalOptions } from './context.js';
import { interruptLine } from './graceful-stop.js';
import { addGlobalOptions } from './options.js';

/** The package's version, from dist/src/cli (built) or src/cli (tests import the source). */
function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const path of ['../../../package.json', '../../package.json']) {
    try {
      return (require(path) as { version: string }).version;
    } catch {
      // not this layout
    }
  }
  return '0.0.0';
}
const version = packageVersion();

/** Builds the commander program; every command registers itself here. */
export function buildProgram(app: App): Command {
  const program = new Command('todo-db')
    .description('Schema, row-level security, seed data, health and verification for the Todo app database')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  addGlobalOptions(program);
  // Settings are resolved once, only when a command runs (never for --help or --version).
  program.hook('preAction', async (_program, command) => {
    const { resolveSettings, settingsError } = await import('../config/resolve.js');
    const g = command.optsWithGlobals<GlobalOptions>();
    const flags = {
      url: g.url,
      env: g.env,
      connectTimeout: g.connectTimeout,
      lockTimeout: g.lockTimeout,
      statementTimeout: g.statementTimeout,
      migrationsDir: g.migrationsDir,
      // migrate up's replica options: settings too (config file, environment)
      waitReplicas: g.waitReplicas,
      replicaUrl: g.replicaUrl,
      requireReplicas: g.requireReplicas,
    };
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
  registerCompletion(program, app);
  // Subcommands inherit the exit override and quiet error output.
  const inherit = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ outputError: () => undefined });
    cmd.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  requireSubcommands(program);
  addHelp(program);
  program.hook('preAction', (_root, actionCommand) => {
    app.command = commandPath(actionCommand);
  });
  return program;
}

/** Runs the CLI and returns the exit code: the single exit point of every command. */
export async function main(argv: readonly string[]): Promise<number> {
  // The resolver adds the passwords it finds (--url, DATABASE_URL…, PGPASSWORD) before any command runs.
  const app: App = { secrets: [], exitCode: 0, command: '', startedAt: performance.now() };
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
  } catch (thrown) {
    if (thrown instanceof CommanderError && (thrown.code === 'commander.helpDisplayed' || thrown.code === 'commander.version')) return 0;
    // `todo-db` alone: the help went to stderr; a missing command is bad usage.
    const error = thrown instanceof CommanderError && thrown.code === 'commander.help' ? new UsageError('todo-db needs a command', 'see `todo-db --help`') : thrown;
    const rendered = renderError(error, app.secrets);
    if (json) {
      const partial = (error as { document?: object } | null)?.document ?? {};
      const command = app.command || guessCommand(program, argv);
      const document = { ...partial, ...rendered.json, command, durationMs: elapsedMs(app) };
      process.stdout.write(JSON.stringify(document, null, 2) + '\n');
    }
    process.stderr.write(rendered.line + '\n');
    if (verbose && error instanceof Error && error.stack) process.stderr.write(maskSecrets(error.stack, app.secrets) + '\n');
    return rendered.exitCode;
  }
}

/** The command an error belongs to when it failed before its action ran (an unknown option, say). */
function guessCommand(program: Command, argv: readonly string[]): string {
  const names: string[] = [];
  let current = program;
  for (const arg of argv) {
    if (arg.startsWith('-')) continue;
    // Anything else is an option's value or an argument: skip it.
    const next = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!next) continue;
    names.push(next.name());
    current = next;
  }
  return names.join(' ');
}
