import type { Command } from 'commander';
import type { InitResult } from '../../init/init.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';
import type { Output } from '../output.js';

/** Registers `todo-db init`: the app repo takes over its migrations, seeds and snapshot. */
export function registerInit(program: Command, app: App): void {
  program
    .command('init')
    .description('make this app repo own its schema: config, ./migrations (with sql/), seeds, snapshot, kysely.config.ts')
    .option('--update', 'add the base migrations of a newer todo-db that ./migrations lacks; touch nothing else')
    .option('--force', 'go on although a config or migrations exist (existing files are still never overwritten)')
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: { update?: boolean; force?: boolean }) => {
          const { initProject } = await import('../../init/init.js');
          return initProject({ root: ctx.settings.root, ...options });
        },
        render,
      }),
    );
}

function render(out: Output, r: InitResult): void {
  const mark = { written: out.c.green('✓'), renumbered: out.c.yellow('✓'), kept: out.c.dim('·') } as const;
  out.table(r.files.map((f) => [`${mark[f.action]} ${f.path}`, out.c.dim(f.action === 'written' ? 'written' : `${f.action}${f.note ? `: ${f.note}` : ''}`)]));
  out.table([[`${r.snapshot.status === 'written' ? mark.written : mark.kept} ${r.snapshot.path.slice(r.root.length + 1)}`, out.c.dim(r.snapshot.message)]]);
  const written = r.files.filter((f) => f.action !== 'kept').length;
  out.result(
    r.mode === 'update'
      ? written === 0
        ? 'Up to date: no new base migration.'
        : `Added ${written} file(s) from this todo-db.`
      : `This repo now owns its schema (${written} files written).`,
  );
  out.line('Next:');
  for (const step of r.nextSteps) out.line(`  ${step}`);
}
