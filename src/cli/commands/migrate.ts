import { Option, type Command } from 'commander';
import type { LintResult, MigrateResult, MigrationTemplate, RedoResult, StatusResult } from '../../index.js';
import { formatDate, formatMs, plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import { confirm, requireConfirmation } from '../confirm.js';
import type { CliContext } from '../context.js';
import { addYesOption } from '../options.js';
import { lintThresholdOption, registerMigrateLint, renderLint } from './migrate-lint.js';

interface UpOptions {
  to?: string;
  dryRun?: boolean;
  allowUnsafe?: boolean;
  lintThresholdRows?: number;
}
interface DownOptions extends UpOptions {
  all?: boolean;
  yes?: boolean;
}

type Run = MigrateResult & { ok: true };
/** `migrate up` refused by the lint gate: the findings, and the error that names the first. */
type Refused = LintResult & { ok: false; refused: true; error: { message: string; hint?: string; exitCode: number } };

export function registerMigrate(program: Command, app: App): void {
  const migrate = program.command('migrate').description('apply, revert, list and create versioned migrations');

  for (const name of ['up', 'latest']) {
    migrate
      .command(name)
      .description(name === 'up' ? 'apply pending migrations, each in its own transaction, under the migration lock' : 'same as `migrate up`')
      .option('--to <name>', 'apply up to and including this migration (its number, e.g. 0004, is enough)')
      .option('--dry-run', 'print the SQL each pending migration would run; change nothing')
      .option('--allow-unsafe', 'apply even when `migrate lint` finds an error on a big table')
      .addOption(lintThresholdOption())
      .action(
        handle(app, {
          run: async (ctx: CliContext, options: UpOptions): Promise<Run | Refused> => {
            const { migrateUp, UnsafeMigrationError } = await import('../../index.js');
            try {
              return { ok: true, ...(await ctx.withDb('schema', (db) => migrateUp(db, { ...dirOf(ctx), ...options }))) };
            } catch (error) {
              if (!(error instanceof UnsafeMigrationError)) throw error;
              return { ...error.lint, ok: false, refused: true, error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}), exitCode: 1 } };
            }
          },
          render: (out, result) => {
            if (!('refused' in result)) return renderRun(out, result);
            // The findings that refused it, then the one line of the error.
            renderLint(out, result);
            out.stderr.write(`todo-db: ${result.error.message}${result.error.hint ? ` (${result.error.hint})` : ''}\n`);
          },
          document: (result) => ('refused' in result ? (({ refused: _r, ...r }) => r)(result) : result),
        }),
      );
  }

  addYesOption(
    migrate
      .command('down')
      .description('revert the newest migration, down to --to NAME (kept), or --all')
      .option('--to <name>', 'revert every migration after this one (its number is enough)')
      .option('--all', 'revert every applied migration')
      .option('--dry-run', 'print the SQL each revert would run; change nothing'),
  ).action(
    handle(app, {
      run: async (ctx: CliContext, options: DownOptions): Promise<Run> => {
        if (!options.dryRun) requireConfirmation(ctx, options.yes, 'migrate down');
        const { migrateDown } = await import('../../index.js');
        const result = await ctx.withDb('schema', (db) =>
          migrateDown(db, { ...dirOf(ctx), ...options, confirm: (names) => confirmRevert(ctx, options.yes, names, db.target.display) }),
        );
        return { ok: true, ...result };
      },
      render: renderRun,
    }),
  );

  addYesOption(
    migrate
      .command('redo')
      .description('revert the newest migration and apply it again (or, with --to, that one and every one after it)')
      .option('--to <name>', 'redo this migration and every applied one after it'),
  ).action(
    handle(app, {
      run: async (ctx: CliContext, options: { to?: string; yes?: boolean }): Promise<RedoResult & { ok: true }> => {
        requireConfirmation(ctx, options.yes, 'migrate redo');
        const { migrateRedo } = await import('../../index.js');
        const result = await ctx.withDb('schema', (db) =>
          migrateRedo(db, {
            ...dirOf(ctx),
            ...(options.to !== undefined ? { from: options.to } : {}),
            confirm: (names) => confirmRevert(ctx, options.yes, names, db.target.display),
          }),
        );
        return { ok: true, ...result };
      },
      render: (out, result) => {
        renderRun(out, result.down);
        renderRun(out, result.up);
      },
    }),
  );

  registerMigrateLint(migrate, app);

  migrate
    .command('status')
    .description('every migration: applied (when) or pending; flags edited, missing and out-of-order ones')
    .action(
      handle(app, {
        run: async (ctx: CliContext) => {
          const { migrationStatus } = await import('../../index.js');
          const status = await ctx.withDb('data', (db) => migrationStatus(db, dirOf(ctx)));
          return { ok: status.edited + status.missing + status.outOfOrder === 0, ...status };
        },
        render: renderStatus,
      }),
    );

  migrate
    .command('make')
    .description('write a new, correctly numbered migration file from a template')
    .argument('<name>', 'what the migration does, e.g. add_due_date')
    .addOption(new Option('--template <name>', 'start from a safe recipe (docs/safe-migrations.md)').choices(['default', 'concurrent-index', 'backfill']))
    .action(
      handle(app, {
        run: async (ctx: CliContext, name: string, options: { template?: MigrationTemplate }) => {
          const { makeMigration } = await import('../../index.js');
          const made = makeMigration(name, { ...dirOf(ctx), ...(options.template ? { template: options.template } : {}) });
          return { ok: true, name: made.name, path: made.path };
        },
        render: (out, made) => {
          out.result(`created ${made.path}`);
          out.hint(`write its up and down, then \`todo-db migrate up\` (and \`todo-db migrate redo\` to check the down).`);
        },
      }),
    );
}

function confirmRevert(ctx: CliContext, yes: boolean | undefined, names: string[], where: string): Promise<void> {
  return confirm(ctx, yes, `Revert ${plural(names.length, 'migration')} (${names.join(', ')}) on ${where}?`);
}

function dirOf(ctx: CliContext): { dir?: string } {
  return ctx.global.migrationsDir ? { dir: ctx.global.migrationsDir } : {};
}

function renderRun(out: Output, result: MigrateResult): void {
  const verb = result.direction === 'up' ? 'applied' : 'reverted';
  const rows = result.steps.map((step) => [
    `${out.c.green('✓')} ${step.name}`,
    out.c.dim(result.dryRun ? `would be ${verb}` : `${verb} in ${formatMs(step.durationMs)}`),
  ]);
  if (result.dryRun) {
    result.steps.forEach((step, i) => {
      out.table([rows[i]!]);
      for (const statement of step.sql ?? []) out.line(out.c.dim(indent(statement.endsWith(';') ? statement : `${statement};`, '      ')));
    });
  } else out.table(rows);
  for (const notice of result.notices) out.note(notice);
  if (result.steps.length === 0) out.result(result.direction === 'up' ? 'Already up to date: nothing pending.' : 'Nothing to revert.');
  else if (result.dryRun) out.result(`Dry run: ${plural(result.steps.length, 'migration')} would be ${verb}; the transaction was rolled back, nothing changed.`);
  else {
    out.result(`${plural(result.steps.length, 'migration')} ${verb}.`);
    if (result.direction === 'up') out.hint('`todo-db verify` checks the schema; `todo-db seed` loads the development data.');
  }
}

const PROBLEM_TEXT: Record<string, string> = {
  edited: 'file changed since it was applied',
  missing: 'file missing',
  'out-of-order': 'sorts before an applied migration',
  'no-checksum': 'applied without a checksum (by another tool?)',
};

function renderStatus(out: Output, status: StatusResult): void {
  const rows = status.migrations.map((m) => {
    const first = (['edited', 'missing', 'out-of-order', 'no-checksum'] as const).find((p) => m.problems.includes(p));
    const problem = first ? PROBLEM_TEXT[first]! : '';
    const mark = problem && first !== 'no-checksum' ? out.c.red('✗') : m.state === 'applied' ? out.c.green('✓') : out.c.dim('·');
    const when = m.state === 'applied' && m.appliedAt ? `applied ${formatDate(m.appliedAt)}` : 'pending';
    return [`${mark} ${m.name}`, when + (problem ? out.c.yellow(` · ${problem}`) : '')];
  });
  out.table(rows);
  const parts: string[] = [];
  const todo: string[] = [];
  if (status.pending) {
    parts.push(`${status.pending} pending`);
    todo.push('Run `todo-db migrate up`');
  }
  if (status.edited) {
    parts.push(`${status.edited} edited after apply`);
    todo.push(`restore ${names(status, 'edited')} from version control`);
  }
  if (status.missing) {
    parts.push(`${status.missing} missing`);
    todo.push(`restore the file of ${names(status, 'missing')}`);
  }
  if (status.outOfOrder) {
    parts.push(`${status.outOfOrder} out of order`);
    todo.push(`renumber ${names(status, 'out-of-order')} after the newest applied migration`);
  }
  const applied = status.migrations.filter((m) => m.state === 'applied').length;
  if (parts.length === 0) out.result(`${plural(applied, 'migration')} applied, none pending.`);
  else out.result(`${parts.join(', ')}. ${todo.join('; ')}.`);
}

function names(status: StatusResult, problem: string): string {
  return status.migrations
    .filter((m) => m.problems.includes(problem as never))
    .map((m) => m.name)
    .join(', ');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}
