import type { Command } from 'commander';
import type { CleanupResult } from '../../index.js';
import { formatMs, plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import { confirm, requireConfirmation } from '../confirm.js';
import type { CliContext } from '../context.js';
import { addYesOption } from '../options.js';

/** Registers `todo-db cleanup`: removes the seed users (…@example.com) and their tasks. */
export function registerCleanup(program: Command, app: App): void {
  addYesOption(program.command('cleanup').description('remove the seed data (users at @example.com and their tasks) and nothing else, in batches')).action(
    handle(app, {
      run: async (ctx: CliContext, options: { yes?: boolean }) => {
        requireConfirmation(ctx, options.yes, 'cleanup');
        const { cleanup, countSeedData, requireWritable } = await import('../../index.js');
        const result = await ctx.withDb('data', async (db) => {
          // Refused before the question: a standby takes no deletes.
          await requireWritable(db, 'cleanup');
          if (!options.yes) {
            const n = await countSeedData(db);
            // Nothing to remove: nothing to ask; cleanup() reports it.
            if (n.users > 0)
              await confirm(
                ctx,
                false,
                `Remove ${plural(n.users, 'seed user')} (@example.com), ${plural(n.tasks, 'task')} and ${plural(n.archived, 'archived task')} from ${db.target.display}?`,
              );
          }
          return cleanup(db);
        });
        return { ok: true, ...result, durationMs: Math.round(result.durationMs) };
      },
      render,
    }),
  );
}

function render(out: Output, r: CleanupResult): void {
  if (r.users === 0) out.result('No seed data to remove: no user at @example.com.');
  else {
    const archived = [
      r.archived > 0 ? `, ${plural(r.archived, 'archived task')}` : '',
      r.sessions > 0 ? `, ${plural(r.sessions, 'session')}` : '',
      r.accounts > 0 ? `, ${plural(r.accounts, 'account')}` : '',
      r.verifications > 0 ? `, ${plural(r.verifications, 'verification')}` : '',
    ].join('');
    out.result(
      `removed ${plural(r.users, 'seed user')}, ${plural(r.tasks, 'task')}${archived} in ${plural(r.batches, 'batch', 'batches')} (${formatMs(r.durationMs)}); no other row touched.`,
    );
  }
}
