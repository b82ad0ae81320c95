import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { RestoreResult } from '../../index.js';
import { formatMs, plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import { confirm, requireConfirmation } from '../confirm.js';
import type { CliContext } from '../context.js';
import { addYesOption } from '../options.js';
import { renderFindings, schemaLine } from './backup.js';

interface RestoreOptions {
  clean?: boolean;
  yes?: boolean;
}

/** Registers `todo-db restore FILE --url TARGET [--clean --yes]`. */
export function registerRestore(program: Command, app: App): void {
  addYesOption(
    program
      .command('restore')
      .description('restore a backup into an empty database (one transaction), then check its schema')
      .argument('<file>', 'a backup made by `todo-db backup`')
      .option('--clean', 'replace what the target holds (drops what the backup contains first; asks, or needs --yes)'),
  ).action(
    handle(app, {
      run: async (ctx: CliContext, file: string, options: RestoreOptions) => {
        // Never a default target: DATABASE_URL may well be production.
        if (ctx.global.url === undefined)
          throw new UsageError('restore needs the target named with --url', 'e.g. todo-db restore FILE --url postgres://…/new_database; it never defaults to DATABASE_URL');
        if (options.clean) requireConfirmation(ctx, options.yes, 'restore --clean');
        const { detectFormat, requireWritable, restoreDatabase } = await import('../../index.js');
        // A missing or foreign file fails before anything connects.
        detectFormat(file);
        const result = await ctx.withDb('schema', async (db) => {
          // Refused before the question: a standby cannot be restored into.
          await requireWritable(db, 'restore');
          if (options.clean) await confirm(ctx, options.yes, `Replace the contents of ${db.target.display} with ${file}?`);
          return restoreDatabase(db, file, { clean: options.clean === true, onLine: (line) => ctx.out.debug(line) });
        });
        return { ...result, ok: result.schema.ok };
      },
      render,
    }),
  );
}

function render(out: Output, result: RestoreResult): void {
  const c = out.c;
  const mark = (ok: boolean) => (ok ? c.green('✓') : c.red('✗'));
  out.table([
    [
      `${c.green('✓')} restored`,
      `${result.file} ${c.dim(`· ${formatMs(result.durationMs)}${result.replaced.length ? ` · replaced ${plural(result.replaced.length, 'table')}` : ''}`)}`,
    ],
    ...result.tables.map((t) => [`${c.green('✓')} ${t.table}`, plural(t.rows, 'row')]),
    [`${mark(result.schema.ok)} schema`, schemaLine(out, result.schema)],
  ]);
  renderFindings(out, result.schema);
  if (result.schema.ok) out.result(`Restored into ${result.target}; the schema checks out.`);
  else out.result(`Restored into ${result.target}, but the schema does not check out (see above). Run \`todo-db verify\` there for details.`);
}
