import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { BlockingSession, DdlLockOptions, MigrateResult, RehearsalResult, StatusResult } from '../../index.js';
import { formatDate, formatMs, plural, type Output } from '../../output/output.js';
import { confirm, requireConfirmation } from '../confirm.js';
import { CliContext } from '../context.js';
import { withGracefulStop } from '../graceful-stop.js';
import { addYesOption, seconds } from '../options.js';
import { action, type App } from '../app.js';

interface UpOptions {
  to?: string;
  dryRun?: boolean;
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

export function registerMigrate(program: Command, app: App): void {
  const migrate = program.command('migrate').description('apply, revert, list and create versioned migrations');

  const up = action(app, async (options: UpOptions, command: Command) => {
    const ctx = CliContext.from(command, app.secrets);
    const { migrateUp, describeBlocker } = await import('../../index.js');
    const result = await ctx.withDb('schema', (handle) => migrateUp(handle, { ...dirOf(ctx), ...options, ...ddlLock(ctx.out, options, describeBlocker) }));
    renderRun(ctx.out, result);
  });
  for (const name of ['up', 'latest']) {
    addDdlLockOptions(
      migrate
        .command(name)
        .description(name === 'up' ? 'apply pending migrations, each in its own transaction, under the migration lock' : 'same as `migrate up`')
        .option('--to <name>', 'apply up to and including this migration')
        .option('--dry-run', 'print the SQL each pending migration would run; change nothing'),
    ).action(up);
  }

  addYesOption(
    addDdlLockOptions(
      migrate
        .command('down')
        .description('revert the newest migration, down to --to NAME (kept), or --all')
        .option('--to <name>', 'revert every migration after this one')
        .option('--all', 'revert every applied migration')
        .option('--dry-run', 'print the SQL each revert would run; change nothing'),
    ),
  ).action(
    action(app, async (options: DownOptions, command: Command) => {
    const ctx = CliContext.from(command, app.secrets);
    if (!options.dryRun) requireConfirmation(ctx, options.yes, 'migrate down');
    const { migrateDown, describeBlocker } = await import('../../index.js');
    const result = await ctx.withDb('schema', (handle) =>
      migrateDown(handle, {
        ...dirOf(ctx),
        ...options,
        ...ddlLock(ctx.out, options, describeBlocker),
        confirm: (names) => confirm(ctx, options.yes, `Revert ${plural(names.length, 'migration')} (${names.join(', ')}) on ${handle.target.display}?`),
      }),
    );
      renderRun(ctx.out, result);
    }),
  );

  addDdlLockOptions(
    migrate
      .command('rehearse')
      .description('apply the pending migrations to a copy of the database while the app\'s workload runs; exit 1 when the p99 goes over budget')
      .option('--rehearse-url <url>', 'the copy to rehearse on (a Neon branch, a scratch database); default: one built on the server and dropped')
      .option('--budget-p99 <ms>', 'the workload p99 allowed during a migration (default: the baseline p99 + 100 ms)')
      .option('--concurrency <n>', 'workload clients (default 4)')
      .option('--baseline <seconds>', 'baseline window before the first migration (default 10)')
      .option('--report <file>', 'write an SVG chart of the workload latency with the migrations marked'),
  ).action(
    action(app, async (options: RehearseCommandOptions, command: Command) => {
      const ctx = CliContext.from(command, app.secrets);
      const lib = await import('../../index.js');
      // Checked before connecting: bad values and embedded backends exit 2 with nothing touched.
      lib.rehearsalSettings(options);
      lib.requireRehearsalServer({ kind: lib.resolveTarget(ctx.openOptions('schema')).backend }, 'the target');
      const result = await ctx.withDb('schema', (handle) =>
        withGracefulStop(
          (signal) =>
            lib.rehearseMigrations(handle, {
              ...dirOf(ctx),
              ...options,
              ...ddlLock(ctx.out, options, lib.describeBlocker),
              signal,
              onProgress: (message) => ctx.out.note(message),
            }),
          () => process.stderr.write('\ntodo-db: stopping the rehearsal and dropping the copy (Ctrl-C again to leave at once, leaving the copy behind)\n'),
        ),
      );
      if (options.report) writeFileSync(options.report, lib.rehearsalSvg(result));
      renderRehearsal(ctx.out, result, options.report);
      return result.interrupted ? 130 : result.ok ? 0 : 1;
    }),
  );

  migrate
    .command('status')
    .description('every migration: applied (when) or pending; flags edited, missing and out-of-order ones')
    .action(
      action(app, async (_options: object, command: Command) => {
      const ctx = CliContext.from(command, app.secrets);
      const { migrationStatus } = await import('../../index.js');
      const status = await ctx.withDb('data', (handle) => migrationStatus(handle, dirOf(ctx)));
      renderStatus(ctx.out, status);
      return status.edited + status.missing + status.outOfOrder > 0 ? 1 : 0;
    }),
    );

  migrate
    .command('make')
    .description('write a new, correctly numbered migration file from a template')
    .argument('<name>', 'what the migration does, e.g. add_due_date')
    .action(
      action(app, async (name: string, _options: object, command: Command) => {
      const ctx = CliContext.from(command, app.secrets);
      const { makeMigration } = await import('../../index.js');
      const made = makeMigration(name, dirOf(ctx));
      ctx.out.document({ name: made.name, path: made.path });
      ctx.out.result(`created ${made.path}`);
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
        out.note(`${event.migration}: lock timeout on attempt ${event.attempt}, rolled back; retrying in ${formatMs(event.sleepMs)} (${(event.elapsedMs / 1000).toFixed(1)} s of the ${Math.round(event.budgetMs / 100) / 10} s budget used)`);
      }
    },
  };
}

function dirOf(ctx: CliContext): { dir?: string } {
  return ctx.global.migrationsDir ? { dir: ctx.global.migrationsDir } : {};
}

function renderRun(out: Output, result: MigrateResult): void {
  out.document({ ok: true, ...result });
  const verb = result.direction === 'up' ? 'applied' : 'reverted';
  const rows = result.steps.map((step) => [
    `${out.c.green('✓')} ${step.name}`,
    out.c.dim(
      result.dryRun
        ? `would be ${verb}`
        : `${verb} in ${formatMs(step.durationMs)}${step.lockRetries ? ` after ${plural(step.lockRetries.lockTimeouts, 'lock timeout')}` : ''}`,
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
  else out.result(`${plural(result.steps.length, 'migration')} ${verb}.`);
}

function renderRehearsal(out: Output, result: RehearsalResult, report: string | undefined): void {
  out.document(result);
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

function renderStatus(out: Output, status: StatusResult): void {
  out.document({ ok: status.edited + status.missing + status.outOfOrder === 0, ...status });
  const rows = status.migrations.map((m) => {
    const problem = m.problems.includes('edited')
      ? 'file changed since it was applied'
      : m.problems.includes('missing')
        ? 'file missing'
        : m.problems.includes('out-of-order')
          ? 'sorts before an applied migration'
          : m.problems.includes('no-checksum')
            ? 'applied without a checksum (by another tool?)'
            : '';
    const mark = problem && !m.problems.includes('no-checksum') ? out.c.red('✗') : m.state === 'applied' ? out.c.green('✓') : out.c.dim('·');
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
