import type { Command } from 'commander';
import type { DevelopmentSeedResult, ScaleSeedResult, SeedProgress } from '../../index.js';
import { formatMs, plural, type Output } from '../../output/output.js';
import { action, type App } from '../app.js';
import { CliContext } from '../context.js';
import { progressBars, type CountingBar } from '../progress.js';

interface SeedOptions {
  users?: string;
  tasksPerUser?: string;
  seed?: string;
  sql?: boolean;
}

/** Registers `todo-db seed`: the development data, or deterministic scale data with --users. */
export function registerSeed(program: Command, app: App): void {
  program
    .command('seed')
    .description('load the development seed data (idempotent), or scale data for load tests with --users')
    .option('--users <n>', 'scale data: this many users under example.com, bulk-loaded')
    .option('--tasks-per-user <n>', 'scale data: tasks per user (default 10)')
    .option('--seed <n>', 'scale data: the same seed gives the same rows (default 1)')
    .option('--sql', 'print the development seed as a psql script instead of running it')
    .action(
      action(app, async (options: SeedOptions, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const lib = await import('../../index.js');
        if (options.sql) {
          const text = await lib.developmentSeedSql();
          if (ctx.out.json) ctx.out.document({ ok: true, sql: text });
          else ctx.out.stdout.write(text);
          return;
        }
        if (options.users === undefined) {
          if (options.tasksPerUser !== undefined || options.seed !== undefined) {
            throw new lib.UsageError('--tasks-per-user and --seed need --users', 'e.g. todo-db seed --users 1000 --tasks-per-user 20 --seed 7');
          }
          renderDevelopment(ctx.out, await ctx.withDb('data', (handle) => lib.seedDevelopment(handle)));
          return;
        }
        // Validated before connecting: bad values exit 2 with nothing touched.
        const shape = lib.scaleShape({ users: options.users, ...definedOnly(options) });
        const bar = await progressBar(ctx);
        let result: ScaleSeedResult;
        try {
          result = await ctx.withDb('data', (handle) => lib.seedScale(handle, { ...shape, onProgress: bar.update, onNotice: (m) => ctx.out.note(m) }));
        } finally {
          bar.stop();
        }
        renderScale(ctx.out, result);
      }),
    );
}

function definedOnly(options: SeedOptions): { tasksPerUser?: string; seed?: string } {
  return { ...(options.tasksPerUser !== undefined ? { tasksPerUser: options.tasksPerUser } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) };
}

const rows = (phase: SeedProgress['phase']) => phase === 'users' || phase === 'tasks';

interface Progress {
  update: (p: SeedProgress) => void;
  stop: () => void;
}

/** A bar per phase; rows/s and ETA mean something while rows stream, index builds, commit and VACUUM count steps and name the current one. */
async function progressBar(ctx: CliContext): Promise<Progress> {
  const bars = await progressBars(ctx);
  let bar: CountingBar | undefined;
  let phase = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const update = (p: SeedProgress) => {
    if (p.phase !== phase) {
      stop();
      phase = p.phase;
      bar = bars(p.phase.padEnd(7), rows(p.phase) ? 'rows' : undefined);
      bar.start(p.total);
    }
    bar?.update(p.done, p.current && p.phase === 'indexes' ? `building ${p.current}` : p.current);
  };
  return { update, stop };
}

function renderDevelopment(out: Output, result: DevelopmentSeedResult): void {
  out.document({ ok: true, mode: 'development', ...result });
  const row = (name: string, c: DevelopmentSeedResult['users']) => [name, `${c.inserted} inserted · ${c.updated} updated · ${c.unchanged} unchanged`];
  out.table([row('users', result.users), row('tasks', result.tasks)]);
  const total = (c: DevelopmentSeedResult['users']) => c.inserted + c.updated + c.unchanged;
  const written = result.users.inserted + result.users.updated + result.tasks.inserted + result.tasks.updated;
  out.result(
    `development seed: ${plural(total(result.users), 'user')} and ${plural(total(result.tasks), 'task')} in place; ` +
      (written === 0 ? 'nothing to change.' : `${plural(written, 'row')} written.`),
  );
}

function renderScale(out: Output, r: ScaleSeedResult): void {
  out.document({ ok: true, mode: 'scale', ...r, durationMs: Math.round(r.durationMs) });
  const extras = [r.rebuilt.length > 0 ? 'indexes rebuilt' : '', r.analyzed ? 'analyzed' : ''].filter(Boolean);
  out.result(
    `seeded ${plural(r.users, 'user')} and ${plural(r.tasks, 'task')} (seed ${r.seed}) in ${formatMs(r.durationMs)} ` +
      `(${r.rowsPerSecond.toLocaleString('en-US')} rows/s)${extras.length ? `; ${extras.join('; ')}` : ''}`,
  );
}
