import type { Command } from 'commander';
import type { DevelopmentSeedResult, ScaleSeedResult, SeedProgress } from '../../index.js';
import { formatMs, plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';
import { progressBars, type CountingBar } from '../progress.js';

interface SeedOptions {
  users?: string;
  tasksPerUser?: string;
  seed?: string;
  sql?: boolean;
  withLogins?: boolean;
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
    .option('--with-logins', "also create the seed users' Better Auth credential accounts on a target that is not local")
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: SeedOptions): Promise<SeedRun> => {
          const lib = await import('../../index.js');
          if (options.sql) {
            const modes = (['users', 'tasksPerUser', 'seed'] as const).filter((k) => options[k] !== undefined);
            if (modes.length > 0)
              throw new lib.UsageError(
                `--sql prints the development seed; it does not take ${modes.map(flagOf).join(', ')}`,
                'drop --sql to load scale data, or the scale options to print the development seed',
              );
            return { ok: true, mode: 'sql', sql: await lib.developmentSeedSql() };
          }
          if (options.users === undefined) {
            if (options.tasksPerUser !== undefined || options.seed !== undefined) {
              throw new lib.UsageError('--tasks-per-user and --seed need --users', 'e.g. todo-db seed --users 1000 --tasks-per-user 20 --seed 7');
            }
            return {
              ok: true,
              mode: 'development',
              ...(await ctx.withDb('data', (db) => lib.seedDevelopment(db, { seedsDir: ctx.settings.seedsDir, withLogins: options.withLogins === true }))),
            };
          }
          // Validated before connecting: bad values exit 2 with nothing touched.
          const shape = lib.scaleShape({ users: options.users, ...definedOnly(options) });
          const bar = await progressBar(ctx);
          try {
            const result = await ctx.withDb('data', (db) => lib.seedScale(db, { ...shape, onProgress: bar.update, onNotice: (m) => ctx.out.note(m) }));
            return { ok: true, mode: 'scale', ...result, durationMs: Math.round(result.durationMs) };
          } finally {
            bar.stop();
          }
        },
        render: (out, result) => {
          if (result.mode === 'sql') out.stdout.write(result.sql);
          else if (result.mode === 'development') renderDevelopment(out, result);
          else renderScale(out, result);
        },
      }),
    );
}

type SeedRun = { ok: true; mode: 'sql'; sql: string } | ({ ok: true; mode: 'development' } & DevelopmentSeedResult) | ({ ok: true; mode: 'scale' } & ScaleSeedResult);

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
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
  const row = (name: string, c: DevelopmentSeedResult['users']) => [name, `${c.inserted} inserted · ${c.updated} updated · ${c.unchanged} unchanged`];
  out.table([row('users', result.users), row('tasks', result.tasks)]);
  const total = (c: DevelopmentSeedResult['users']) => c.inserted + c.updated + c.unchanged;
  const written = result.users.inserted + result.users.updated + result.tasks.inserted + result.tasks.updated;
  out.result(
    `development seed: ${plural(total(result.users), 'user')} and ${plural(total(result.tasks), 'task')} in place; ` +
      (written === 0 ? 'nothing to change.' : `${plural(written, 'row')} written.`),
  );
  out.result(result.logins.message);
  out.hint('`todo-db health` checks the database; `todo-db cleanup` removes the seed data again.');
}

function renderScale(out: Output, r: ScaleSeedResult): void {
  const extras = [r.rebuilt.length > 0 ? 'indexes rebuilt' : '', r.analyzed ? 'analyzed' : ''].filter(Boolean);
  out.result(
    `seeded ${plural(r.users, 'user')} and ${plural(r.tasks, 'task')} (seed ${r.seed}) in ${formatMs(r.durationMs)} ` +
      `(${r.rowsPerSecond.toLocaleString('en-US')} rows/s)${extras.length ? `; ${extras.join('; ')}` : ''}`,
  );
  out.hint('`todo-db monitor queries` shows the query patterns on this data; `todo-db cleanup` removes it.');
}
