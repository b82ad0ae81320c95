-- todo-db archive: moves one batch of completed tasks, last updated before $1
-- (timestamptz), at most $2 of them, from tasks to tasks_archive, in
-- (updated_at, id) order after the key ($3 timestamptz, $4 uuid) where the
-- previous batch ended ('-infinity' and the nil uuid for the first). The key keeps
-- each batch from re-reading the rows earlier batches deleted or passed over.
--
-- One statement, so one transaction: a task leaves tasks exactly when its copy
-- enters tasks_archive. Interrupted, the batch commits or rolls back whole; run
-- again from the start, it picks up whatever is still in tasks. A task already in
-- tasks_archive (same id) makes the batch fail on tasks_archive_pkey and move
-- nothing: never a duplicate, never a task dropped. SKIP LOCKED lets two runs share
-- the work and leaves a task the app is editing right now for a later pass.
--
-- Returns how many moved and the key of the last one (the next batch's $3, $4).
-- `todo-db archive --completed-before 90d` runs it until it moves 0; docs/archive.md
-- shows the psql loop. Run it as the maintenance role (owner or superuser): under
-- row-level security it sees nothing. updated_at stands for the completion time: the
-- schema records no completed_at, and the trigger stamps the update that completed
-- the task.
with batch as (
  select id from tasks
  where completed and updated_at < $1
    and updated_at >= $3 and (updated_at, id) > ($3, $4)
  order by updated_at, id
  limit $2
  for update skip locked
), moved as (
  -- = ANY(array): always the primary key index, never a join planned as a scan of tasks
  delete from tasks t where t.id = any (array(select id from batch))
  returning t.id, t.user_id, t.title, t.description, t.completed, t.created_at, t.updated_at
), archived as (
  insert into tasks_archive (id, user_id, title, description, completed, created_at, updated_at)
  select id, user_id, title, description, completed, created_at, updated_at from moved
  returning id, updated_at
)
select count(*)::int as moved,
       max(updated_at)::text as last_updated_at, -- text keeps the microseconds
       (array_agg(id order by updated_at desc, id desc))[1] as last_id
from archived
