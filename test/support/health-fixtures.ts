import { sql } from 'kysely';
import pg from 'pg';
import type { TodoDatabase } from '../../src/index.js';

/**
 * Scale data in one statement each (generate_series), then VACUUM ANALYZE so the
 * planner has statistics and a visibility map, as a seeded production table would.
 * Users are under example.com, as the seed rules ask.
 */
export async function fillTasks(handle: TodoDatabase, users: number, tasksPerUser: number): Promise<void> {
  await sql`
    insert into users (email, name)
    select 'h6-' || i || '@example.com', 'health user ' || i from generate_series(1, ${users}::int) as i`.execute(handle.db);
  // Tasks interleave users and spread over a year, like real traffic; every third is done.
  await sql`
    insert into tasks (user_id, title, completed, created_at, updated_at)
    select u.id, 'task ' || t, t % 3 = 0, now() - (t * interval '1 minute'), now() - (t * interval '1 minute')
    from generate_series(1, ${users * tasksPerUser}::int) as t
    join (select id, row_number() over (order by email) - 1 as n from users) as u on u.n = t % ${users}::int`.execute(handle.db);
  await sql`vacuum analyze users`.execute(handle.db);
  await sql`vacuum analyze tasks`.execute(handle.db);
}

/** A plain client on the test database, outside any pool: a second session. */
export async function session(url: string): Promise<pg.Client & { pid: number }> {
  const client = new pg.Client({ connectionString: url, application_name: 'health-test' });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return Object.assign(client, { pid: rows[0]!.pid });
}

/** Polls (bounded) until `probe` is true: another session reaching a state takes a moment. */
export async function until(probe: () => Promise<boolean>, what: string, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The state of a session as pg_stat_activity sees it, from a third connection. */
export async function stateOf(observer: pg.Client, pid: number): Promise<{ state: string | null; blocked: boolean; query: string } | undefined> {
  const { rows } = await observer.query<{ state: string | null; blocked: boolean; query: string }>(
    'select state, cardinality(pg_blocking_pids(pid)) > 0 as blocked, query from pg_stat_activity where pid = $1',
    [pid],
  );
  return rows[0];
}
