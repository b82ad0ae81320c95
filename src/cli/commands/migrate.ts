import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { BlockingSession, DdlLockOptions, LintResult, MigrateResult, MigrationTemplate, RedoResult, RehearsalResult, StatusResult } from '../../index.js';
import { formatBytes, formatDate, formatMs, plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import { confirm, requireConfirmation } from '../confirm.js';
import type { CliContext } from '../context.js';
import { withGracefulStop } from '../graceful-stop.js';
import { addYesOption, seconds } from '../options.js';
import { lintThresholdOption, registerMigrateLint, renderLint } from './migrate-lint.js';
import { addReplicaOptions, renderReplicas, withReplicaWait, type WithReplicas } from './migrate-replicas.js';

interface UpOptions {
  to?: string;
  dryRun?: boolean;
  allowUnsafe?: boolean;
  lintThresholdRows?: number;
  ddlLockTimeout?: number;
  ddlLockBudget?: number;
}
interface RehearseCommandOptions extends UpOptions {
  rehearseUrl?: string;
  budgetP99?: string;
  concurrency?: string;
  baseline?: string;
  report?: string;
}
interface DownOptions extends UpOptions {
  all?: boolean;
  yes?: boolean;
}

type Run = MigrateResult & WithReplicas & { ok: true };
/** `migrate up` refused by the lint gate: the findings, and the error that names the first. */
type Refused = LintResult & { ok: false; refused: true; error: { message: string; hint?: string; exitCode: number } };

export function registerMigrate(program: Command, app: App): void {
  const migrate = program.command('migrate').description('apply, revert, list and create versioned migrations');

  for (const name of ['up', 'latest']) {
    addReplicaOptions(addDdlLockOptions(migrate.command(name)))
      .description(name === 'up' ? 'apply pending migrations, each in its own transaction, under the migration lock' : 'same as `migrate up`')
      .option('--to <name>', 'apply up to and including this migration (its number, e.g. 0004, is enough)')
      .option('--dry-run', 'print the SQL each pending migration would run; change nothing')
      .option('--allow-unsafe', 'apply even when `migrate lint` finds an error on a big table')
      .addOption(lintThresholdOption())
      .action(
        handle(app, {
          run: async (ctx: CliContext, options: UpOptions): Promise<Run | Refused> => {
            const { migrateUp, UnsafeMigrationError, describeBlocker } = await import('../../index.js');
            // The replica options are settings (ctx.settings): commander's copies must not reach migrateUp.
            const { waitReplicas: _w, replicaUrl: _r, requireReplicas: _q, ...up } = options as UpOptions & Record<string, unknown>;
            try {
              return {
                ok: true,
                ...(await ctx.withDb('schema', (db) =>
                  withReplicaWait(ctx, db, up.dryRun === true, () => migrateUp(db, { ...dirOf(ctx), ...up, ...ddlLock(ctx.out, up, describeBlocker) })),
                )),
              };
            } catch (error) {
              if (!(error instanceof UnsafeMigrationError)) throw error;
              return { ...error.lint, ok: false, refused: true, error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}), exitCode: 1 } };
            }
          },
          render: (out, result) => {
            if (!('refused' in result)) {
              renderRun(out, result);
              return renderReplicas(out, result.replicas);
            }
            // The findings that refused it, then the one line of the error.
            renderLint(out, result);
            out.stderr.write(`todo-db: ${result.error.message}${result.error.hint ? ` (${result.error.hint})` : ''}\n`);
          },
          document: (result) => ('refused' in result ? (({ refused: _r, ...r }) => r)(result) : result),
        }),
      );
  }

  addYesOption(
    addDdlLockOptions(migrate.command('down'))
      .description('revert the newest migration, down to --to NAME (kept), or --all')
      .option('--to <name>', 'revert every migration after this one (its number is enough)')
      .option('--all', 'revert every applied migration')
      .option('--dry-run', 'print the SQL each revert would run; change nothing'),
  ).action(
    handle(app, {
      run: async (ctx: CliContext, options: DownOptions): Promise<Run> => {
        if (!options.dryRun) requireConfirmation(ctx, options.yes, 'migrate down');
        const { migrateDown, describeBlocker } = await import('../../index.js');
        const result = await ctx.withDb('schema', (db) =>
          migrateDown(db, {
            ...dirOf(ctx),
            ...options,
            ...ddlLock(ctx.out, options, describeBlocker),
            confirm: (names) => confirmRevert(ctx, options.yes, names, db.target.display),
          }),
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

  addDdlLockOptions(
    migrate
      .command('rehearse')
      .description("apply the pending migrations to a copy of the database while the app's workload runs; exit 1 when the p99 goes over budget")
      .option('--rehearse-url <url>', 'the copy to rehearse on (a Neon branch, a scratch database); default: one built on the server and dropped')
      .option('--budget-p99 <ms>', 'the workload p99 allowed during a migration (default: the baseline p99 + 100 ms)')
      .option('--concurrency <n>', 'workload clients (default 4)')
      .option('--baseline <seconds>', 'baseline window before the first migration (default 10)')
      .option('--report <file>', 'write an SVG chart of the workload latency with the migrations marked'),
  ).action(
    handle(app, {
      run: async (ctx: CliContext, options: RehearseCommandOptions) => {
        const lib = await import('../../index.js');
        // Checked before connecting: bad values and embedded backends exit 2 with nothing touched.
        lib.rehearsalSettings(options);
        lib.requireRehearsalServer({ kind: ctx.target('schema').backend }, 'the target');
        const result = await ctx.withDb('schema', (db) =>
          withGracefulStop(
            (signal) =>
              lib.rehearseMigrations(db, { ...dirOf(ctx), ...options, ...ddlLock(ctx.out, options, lib.describeBlocker), signal, onProgress: (message) => ctx.out.note(message) }),
            () => process.stderr.write('\ntodo-db: stopping the rehearsal and dropping the copy (Ctrl-C again to leave at once, leaving the copy behind)\n'),
          ),
        );
        if (options.report) writeFileSync(options.report, lib.rehearsalSvg(result));
        return { ...result, ...(options.report ? { report: options.report } : {}) };
      },
      render: renderRehearsal,
    }),
  );

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

/** The lock budget of every DDL statement (docs/migration-locks.md); servers only. */
function addDdlLockOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--ddl-lock-timeout <seconds>', 'a migration statement waits at most this long for a table lock, then the migration is retried (default 0.5)')
        .argParser(seconds)
        .env('TODO_DB_DDL_LOCK_TIMEOUT'),
    )
    .addOption(
      new Option('--ddl-lock-budget <seconds>', 'stop retrying a migration blocked on its locks after this long, with nothing of it applied (default 180)')
        .argParser(seconds)
        .env('TODO_DB_DDL_LOCK_BUDGET'),
    );
}

function ddlLock(out: Output, options: UpOptions, describe: (b: BlockingSession) => string): DdlLockOptions {
  return {
    ...(options.ddlLockTimeout !== undefined ? { ddlLockTimeoutMs: options.ddlLockTimeout * 1000 } : {}),
    ...(options.ddlLockBudget !== undefined ? { ddlLockBudgetMs: options.ddlLockBudget * 1000 } : {}),
    onLockEvent: (event) => {
      if (event.kind === 'blocked') {
        for (const b of event.blockers) out.note(`${event.migration} is waiting for a lock held by ${describe(b)}`);
      } else {
        out.note(
          `${event.migration}: lock timeout on attempt ${event.attempt}, rolled back; retrying in ${formatMs(event.sleepMs)} (${(event.elapsedMs / 1000).toFixed(1)} s of the ${Math.round(event.budgetMs / 100) / 10} s budget used)`,
        );
      }
    },
  };
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
    out.c.dim(
      result.dryRun ? `would be ${verb}` : `${verb} in ${formatMs(step.durationMs)}${step.lockRetries ? ` after ${plural(step.lockRetries.lockTimeouts, 'lock timeout')}` : ''}`,
    ),
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
  if (status.standby) out.note(standbyLine(status.standby));
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

/** A standby answers as of what it replayed: say so, and how far that is. */
function standbyLine(s: NonNullable<StatusResult['standby']>): string {
  const parts = [`a standby (read-only): this is what it has replayed, up to ${s.replayLsn ?? 'nothing yet'}`];
  if (s.replayedAt) parts.push(`last commit replayed ${formatDate(s.replayedAt)}`);
  if (s.behindBytes > 0) parts.push(`${formatBytes(s.behindBytes)} received but not yet replayed`);
  if (s.paused) parts.push('replay is PAUSED (select pg_wal_replay_resume())');
  parts.push(s.primary ? `primary ${s.primary}` : s.receiver ? `receiver ${s.receiver}` : 'not streaming from a primary');
  return parts.join('; ');
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

function renderRehearsal(out: Output, result: RehearsalResult & { report?: string }): void {
  const { report } = result;
  if (result.items.length === 0) {
    out.result(result.interrupted ? 'Rehearsal stopped before any migration ran.' : 'Nothing pending: nothing to rehearse.');
    return;
  }
  const ms = (n: number | null) => (n === null ? 'n/a' : formatMs(n));
  if (result.baseline) out.line(`  baseline: p50 ${ms(result.baseline.p50)}, p95 ${ms(result.baseline.p95)}, p99 ${ms(result.baseline.p99)} (${result.baseline.count} ops)`);
  const rows = result.items.map((item) => {
    const m = result.migrations.find((r) => r.name === item.object);
    const mark = item.status === 'ok' ? out.c.green('✓') : item.status === 'fail' ? out.c.red('✗') : out.c.dim('·');
    if (!m) return [`${mark} ${item.object}`, out.c.dim(item.message)];
    return [
      `${mark} ${item.object}`,
      formatMs(m.durationMs),
      `p50 ${ms(m.during.p50)}  p95 ${ms(m.during.p95)}  p99 ${ms(m.during.p99)}`,
      `${plural(m.lockWaits, 'lock wait')}${m.lockWaits ? ` (longest ≥ ${formatMs(m.longestLockWaitMs)})` : ''}`,
      m.error ? out.c.red(m.error.split('\n')[0] ?? '') : m.rewritten.length ? out.c.yellow(`rewrote ${m.rewritten.join(', ')}`) : out.c.dim('no rewrite'),
    ];
  });
  out.table(rows);
  if (report) out.note(`chart written to ${report}`);
  const failed = result.items.filter((i) => i.status === 'fail');
  const budget = result.budgetP99Ms === null ? 'n/a' : formatMs(result.budgetP99Ms);
  if (result.interrupted) out.result('Rehearsal stopped; the copy was cleaned up.');
  else if (failed.length === 0) out.result(`${plural(result.items.length, 'migration')} rehearsed; the workload p99 stayed within ${budget}.`);
  else {
    const broke = failed.filter((i) => result.migrations.find((m) => m.name === i.object)?.error);
    const slow = failed.filter((i) => !broke.includes(i));
    const parts = [
      ...(slow.length ? [`${slow.map((i) => i.object).join(', ')} went over the p99 budget of ${budget}: ${slow[0]!.fix}`] : []),
      ...(broke.length ? [`${broke.map((i) => i.object).join(', ')} failed on the copy (the target was not touched)`] : []),
    ];
    out.result(`${parts.join('; ')}.`);
  }
}
