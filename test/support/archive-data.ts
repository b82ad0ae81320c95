import { adminQuery } from './postgres.js';

/**
 * `users` users with `due` completed tasks each, last updated 100+ days ago, plus
 * one recent completed and one open task per user that archiving must leave alone.
 */
export async function addArchivableTasks(database: string, users: number, due: number): Promise<void> {
  await adminQuery(
    `with added as (
       insert into users (email) select 'archive-' || gen_random_uuid() || '@example.com' from generate_series(1, $1::int)
       returning id
     ), done as (
       insert into tasks (user_id, title, completed, created_at, updated_at)
       select a.id, 'done ' || i, true, now() - interval '200 days', now() - interval '100 days' - i * interval '1 second'
       from added a cross join generate_series(1, $2::int) as i
     )
     insert into tasks (user_id, title, completed, updated_at)
     select id, 'recent done', true, now() - interval '1 day' from added
     union all select id, 'open', false, now() - interval '300 days' from added`,
    database,
    [users, due],
  );
}

export interface TaskLedger {
  /** rows across tasks and tasks_archive */
  rows: number;
  /** distinct task ids across both */
  ids: number;
  /** md5 of every task's columns (archived_at aside), in id order */
  digest: string;
  archived: number;
}

/** Where every task is: equal ledgers before and after mean nothing was lost, changed or doubled. */
export const LEDGER_SQL = `
  with every_task as (
    select id, row(id, user_id, title, description, completed, created_at, updated_at)::text as line from tasks
    union all
    select id, row(id, user_id, title, description, completed, created_at, updated_at)::text from tasks_archive)
  select count(*)::int as rows, count(distinct id)::int as ids, md5(string_agg(line, ',' order by id)) as digest,
         (select count(*)::int from tasks_archive) as archived
  from every_task`;

/** The ledger of a database on the test server. */
export async function taskLedger(database: string): Promise<TaskLedger> {
  const [row] = await adminQuery<TaskLedger>(LEDGER_SQL, database);
  return row!;
}
