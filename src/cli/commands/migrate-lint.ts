import { InvalidArgumentError, Option, type Command } from 'commander';
import type { LintResult } from '../../index.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';
import { plural, type Output } from '../output.js';

/** `--lint-threshold-rows`, on `migrate lint` and `migrate up`. */
export function lintThresholdOption(): Option {
  return new Option('--lint-threshold-rows <rows>', 'a size-dependent lint finding is an error from this many rows (default 10000)')
    .argParser((value: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of rows >= 0');
      return n;
    })
    .env('TODO_DB_LINT_THRESHOLD_ROWS');
}

export function registerMigrateLint(migrate: Command, app: App): void {
  migrate
    .command('lint')
    .description('check pending migrations for locks and rewrites that would stall the app at the live table sizes')
    .option('--all', 'lint every migration, applied or not')
    .addOption(lintThresholdOption())
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: { all?: boolean; lintThresholdRows?: number }) => {
          const { lintMigrations } = await import('../../index.js');
          const result = await ctx.withDb('inspect', (db) =>
            lintMigrations(db, {
              ...(ctx.global.migrationsDir ? { dir: ctx.global.migrationsDir } : {}),
              ...(options.all ? { all: true } : {}),
              ...(options.lintThresholdRows !== undefined ? { thresholdRows: options.lintThresholdRows } : {}),
            }),
          );
          return { ...result, ok: result.errors === 0 };
        },
        render: (out, result) => renderLint(out, result),
      }),
    );
}

/** The statements (lock, rewrite, size) and the findings with their recipes. */
export function renderLint(out: Output, result: LintResult): void {
  const c = out.c;
  if (result.statements.length) {
    out.table(
      result.statements
        .filter((s) => s.lock !== null)
        .map((s) => [
          c.dim(`${s.migration}:${s.line}`),
          s.lock ?? '',
          s.tables.join(', '),
          s.rewrite === 'none' ? '' : c.yellow(s.rewrite),
          s.rows === null ? c.dim('new') : `~${s.rows.toLocaleString('en-US')} rows`,
        ]),
    );
  }
  for (const f of result.findings) {
    const mark = f.status === 'fail' ? c.red('✗') : f.status === 'warn' ? c.yellow('!') : c.green('✓');
    out.line(`${mark} ${f.details.migration}:${f.details.line}  ${c.bold(f.id)}  ${f.object}${f.details.allowed ? c.dim(` · allowed: ${f.details.allowed}`) : ''}`);
    out.line(`    ${f.message}`);
    if (f.fix && f.status !== 'ok') out.line(c.dim(`    fix: ${f.fix}`));
  }
  const what = result.migrations.length ? plural(result.migrations.length, 'migration') : 'no pending migrations';
  out.result(`${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')} in ${what} (errors from ${result.thresholdRows.toLocaleString('en-US')} rows).`);
}
