// @ts-check
/** The benchmarks' data: users and tasks made on the server in two statements, then vacuumed. */
import { sql } from 'kysely';

/**
 * Fills a migrated database with `tasks` tasks, `tasksPerUser` per user, a third
 * of them completed, created one second apart; returns the number of users.
 * @param {import('kysely').Kysely<any>} db
 * @param {number} tasks
 * @param {number} tasksPerUser
 */
export async function fillTasks(db, tasks, tasksPerUser = 100) {
  const users = Math.ceil(tasks / tasksPerUser);
  await sql`insert into users (email, name) select 'bench-' || i || '@example.com', 'bench ' || i from generate_series(1, ${users}::int) as i`.execute(db);
  await sql`
    insert into tasks (user_id, title, completed, created_at, updated_at)
    select u.id, 'task ' || t, t % 3 = 0, now() - t * interval '1 second', now() - t * interval '1 second'
    from generate_series(1, ${tasks}::int) as t
    join (select id, row_number() over (order by email) - 1 as n from users) as u on u.n = t % ${users}::int`.execute(db);
  // Vacuumed, not only analyzed: index-only scans need the visibility map (autovacuum may be off).
  await sql`vacuum analyze users`.execute(db);
  await sql`vacuum analyze tasks`.execute(db);
  return users;
}
