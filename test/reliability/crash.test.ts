import { describe, expect, it } from 'vitest';
import { interruptWhen, runCli } from '../support/cli.js';
import { inconsistentMigrations } from '../support/consistency.js';
import { copyMigrations } from '../support/migrations-copy.js';
import { adminQuery, createTestDatabase } from '../support/postgres.js';
import { withRoleLock } from '../support/role-lock.js';

const STRESS = process.env.TODO_DB_STRESS === '1';
/** At least 20 kills in all: spread over the whole run, including the slow step. */
const KILLS = STRESS ? 40 : 20;
const SLOW_STEP = `import { sql } from 'kysely';
export async function up(db) {
  await sql\`create table slow_marker (id int)\`.execute(db);
  await sql\`select pg_sleep(0.4)\`.execute(db);
}
export async function down(db) { await sql\`drop table slow_marker\`.execute(db); }
`;

/** How far a run got: the number of migrations recorded, and whether the slow step is sleeping. */
async function progress(database: string): Promise<{ recorded: number; sleeping: boolean }> {
  const rows = await adminQuery<{ tables: number; sleeping: number }>(
    `select (select count(*)::int from pg_tables where tablename = 'kysely_migration') as tables,
            (select count(*)::int from pg_stat_activity where datname = current_database() and query like '%pg_sleep(0.4)%' and query not like '%pg_stat_activity%') as sleeping`,
    database,
  );
  const sleeping = (rows[0]?.sleeping ?? 0) > 0;
  if (!rows[0]?.tables) return { recorded: 0, sleeping };
  return { recorded: (await adminQuery<{ n: number }>('select count(*)::int as n from kysely_migration', database))[0]?.n ?? 0, sleeping };
}

/**
 * Starts `migrate up` and SIGKILLs it at a chosen point of its progress: 'start'
 * (before it connects), after N migrations are recorded, or during the slow step.
 */
async function killedRun(args: string[], database: string, at: 'start' | number | 'slow'): Promise<string> {
  const reached = async () => {
    if (at === 'start') return true;
    const now = await progress(database);
    return at === 'slow' ? now.sleeping : now.recorded >= at;
  };
  const run = await interruptWhen(args, reached, { delayMs: () => (at === 'start' ? 0 : Math.random() * 30) });
  return run.code === null ? 'killed' : `exited ${run.code}`;
}

describe('crash safety', () => {
  it(`a migrate up killed with SIGKILL at ${KILLS} moments leaves a consistent database that the next run completes`, async () => {
    const copy = copyMigrations({ '0007_slow_step.js': SLOW_STEP });
    const points: Array<'start' | number | 'slow'> = ['start', 0, 1, 2, 3, 4, 5, 6, 'slow'];
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < KILLS; i++) {
        const at = points[i % points.length]!;
        const db = await createTestDatabase('crash');
        try {
          const how = await killedRun(['--url', db.url, '--migrations-dir', copy.dir, 'migrate', 'up'], db.name, at);
          outcomes.push(`${at}:${how}`);
          expect(await inconsistentMigrations(db.name), `after a kill at ${at}`).toEqual([]);
          const next = await runCli(['--url', db.url, '--migrations-dir', copy.dir, '--lock-timeout', '30', 'migrate', 'up']);
          expect(next.code, next.stderr).toBe(0);
          expect(await inconsistentMigrations(db.name)).toEqual([]);
          const rows = await adminQuery<{ n: number }>('select count(*)::int as n from kysely_migration', db.name);
          expect(rows[0]?.n).toBe(7);
        } finally {
          await db.drop();
        }
      }
    } finally {
      copy.remove();
    }
    // Most runs really were killed part-way, not after they finished.
    expect(outcomes.filter((o) => o.endsWith('killed')).length, outcomes.join(' ')).toBeGreaterThanOrEqual(KILLS - 3);
  }, 600_000);
});

describe('a scale seed killed part-way', () => {
  it('leaves no partial batch behind, the contract indexes intact, and cleanup and verify working', async () => {
    const db = await createTestDatabase('seedkill');
    try {
      expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
      const copying = async () =>
        ((
          await adminQuery<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'copy%' and query not like '%pg_stat_activity%'`,
            db.name,
          )
        )[0]?.n ?? 0) > 0;
      const run = await interruptWhen(['--url', db.url, 'seed', '--users', '4000', '--tasks-per-user', '100', '--seed', '3'], copying, { everyMs: 20, delayMs: () => 300 });
      const how = run.code === null ? 'killed' : `exited ${run.code}`;
      expect(how).toBe('killed');
      const counts = await adminQuery<{ users: number; tasks: number }>('select (select count(*)::int from users) as users, (select count(*)::int from tasks) as tasks', db.name);
      expect(counts[0]).toEqual({ users: 0, tasks: 0 });
      // verify reads the cluster-wide todo_app too: hold it intact meanwhile.
      const verify = await withRoleLock('shared', () => runCli(['--url', db.url, 'verify']));
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      const cleanup = await runCli(['--url', db.url, 'cleanup', '--yes']);
      expect(cleanup.code, cleanup.stderr).toBe(0);
      const again = await runCli(['--url', db.url, 'seed', '--users', '20', '--tasks-per-user', '5', '--seed', '3']);
      expect(again.code, again.stderr).toBe(0);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
