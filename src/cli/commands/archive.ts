import { Option, type Command } from 'commander';
import type { ArchiveResult } from '../../index.js';
import { formatMs, plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import { confirm, requireConfirmation } from '../confirm.js';
import type { CliContext } from '../context.js';
import { addYesOption } from '../options.js';
import { interruptLine, withGracefulStop } from '../graceful-stop.js';
import { progressBars } from '../progress.js';

interface ArchiveCommandOptions {
  completedBefore: string;
  batchSize?: string;
  dryRun?: boolean;
  yes?: boolean;
}

/** Registers `todo-db archive --completed-before DURATION|DATE`. */
export function registerArchive(program: Command, app: App): void {
  addYesOption(
    program
      .command('archive')
      .description('move completed tasks last updated before a cutoff from tasks to tasks_archive, in batches (resumable)')
      .requiredOption('--completed-before <when>', 'a duration back from now (36h, 90d, 12w, 6mo, 1y) or a date (2026-01-31, UTC)')
      .addOption(new Option('--batch-size <n>', 'tasks per transaction').default('1000'))
      .option('--dry-run', 'count what would move; move nothing'),
  ).action(
    handle(app, {
      run: async (ctx: CliContext, options: ArchiveCommandOptions) => {
        const lib = await import('../../index.js');
        // Checked before connecting: bad values exit 2 with nothing touched.
        lib.parseCutoff(options.completedBefore);
        const batchSize = lib.parseBatchSize(options.batchSize ?? '1000');
        if (!options.dryRun) requireConfirmation(ctx, options.yes, 'archive');
        const bar = (await progressBars(ctx))('archive', 'tasks');
        let result: ArchiveResult;
        try {
          // Ctrl-C lets the batch in flight commit, then stops; a second Ctrl-C leaves at once.
          result = await ctx.withDb('data', (db) =>
            withGracefulStop(
              (signal) =>
                lib.archiveTasks(db, {
                  completedBefore: options.completedBefore,
                  batchSize,
                  dryRun: options.dryRun === true,
                  signal,
                  confirm: (plan) => confirm(ctx, options.yes, `Move ${plural(plan.pending, 'completed task')} last updated before ${plan.cutoff.toISOString()} to tasks_archive?`),
                  onStart: (plan) => bar.start(plan.pending),
                  onBatch: (progress) => bar.update(progress.moved),
                }),
              () => {
                // The bar would redraw over the message (it restores its saved cursor position on stop).
                bar.stop();
                interruptLine('todo-db: stopping after the batch in progress (Ctrl-C again to leave at once)');
              },
            ),
          );
        } finally {
          bar.stop();
        }
        return { ...result, ok: !result.interrupted, durationMs: Math.round(result.durationMs) };
      },
      render,
    }),
  );
}

function render(out: Output, r: ArchiveResult): void {
  const cutoff = r.cutoff.toISOString();
  if (r.pending === 0) {
    out.result(`No completed task last updated before ${cutoff}: nothing to archive.`);
    return;
  }
  const range = r.oldest && r.newest ? ` (last updated ${r.oldest.toISOString().slice(0, 10)} … ${r.newest.toISOString().slice(0, 10)})` : '';
  if (r.dryRun) {
    out.result(`${plural(r.pending, 'completed task')} last updated before ${cutoff} would move to tasks_archive${range}; nothing was changed.`);
    return;
  }
  out.result(`archived ${plural(r.moved, 'task')}${range} in ${plural(r.batches, 'batch', 'batches')} of up to ${r.batchSize.toLocaleString('en-US')}, ${formatMs(r.durationMs)}.`);
  if (r.interrupted) {
    out.result(`stopped: ${plural(r.remaining, 'task')} not yet archived. Every batch done is complete; run the same command again to continue.`);
    return;
  }
  if (r.remaining > 0) out.result(`${plural(r.remaining, 'task')} were locked by other transactions and stay in tasks: run the same command again to move them.`);
}
