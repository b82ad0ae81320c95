-- todo-db archive: moves one batch of completed tasks, last updated before $1
-- (timestamptz), at most $2 of them, oldest first, from tasks to tasks_archive.
--
-- One statement, so one transaction: a task leaves tasks exactly when its copy
-- enters tasks_archive. Interrupted, the batch rolls back whole; run again, it
-- picks up whatever is still in tasks. A task already in tasks_archive (same id)
-- makes the batch fail on tasks_archive_pkey and move nothing: never a duplicate,
-- never a task dropped. SKIP LOCKED lets two runs share the work, and leaves a
-- task the app is editing right now for the next run.
--
-- `todo-db archive --completed-before 90d` runs it until it moves 0. Run it as the
-- maintenance role (owner or superuser): under row-level security it sees nothing.
-- updated_at stands for the completion time: the schema records no completed_at,
-- and the updated_at trigger stamps the update that completed the task.
with batch as (
  select id from tasks
  where completed and updated_at < $1
  order by updated_at, id
  limit $2
  for update skip locked
), moved as (
  delete from tasks t using batch b where t.id = b.id
  returning t.id, t.user_id, t.title, t.description, t.completed, t.created_at, t.updated_at
), archived as (
  insert into tasks_archive (id, user_id, title, description, completed, created_at, updated_at)
  select id, user_id, title, description, completed, created_at, updated_at from moved
  returning id
)
select count(*)::int as moved from archived
