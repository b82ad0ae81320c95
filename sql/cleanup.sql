-- todo-db cleanup: removes seed users and, by cascade, their tasks, archived
-- tasks, Better Auth sessions and accounts; and the verification rows that are
-- theirs (identifier = their email, any case, or value = their id: exact
-- matches, never a substring); nothing else.
--
-- A seed user is one whose email ends in "@example.com", compared case-insensitively
-- (domains are: Dana@EXAMPLE.COM is seed data, since example.com is reserved by
-- RFC 2606 and no real person has it). x@example.com.evil.org and x@sub.example.com
-- are not seed users and stay.
--
-- One run removes one batch of at most 1000 users, in its own transaction, so a
-- million seed tasks never sit under one long lock. `todo-db cleanup` runs it until
-- it removes no user. In psql, repeat it until it returns users = 0:
--   until [ "$(psql "$DATABASE_URL" -tAq -f sql/cleanup.sql | cut -d'|' -f1)" = "0" ]; do :; done
-- Run it as the maintenance role (owner or superuser): under row-level security it
-- would see nothing to remove.
with batch as (
  select id, email from users
  where lower(email) like '%@example.com'
  limit 1000
  for update
), doomed_tasks as (
  -- counted in the statement's snapshot; the cascade removes exactly these
  select count(*) as n from tasks where user_id in (select id from batch)
), doomed_archived as (
  select count(*) as n from tasks_archive where user_id in (select id from batch)
), doomed_sessions as (
  select count(*) as n from sessions where user_id in (select id from batch)
), doomed_accounts as (
  select count(*) as n from accounts where user_id in (select id from batch)
), removed_verifications as (
  delete from verifications
  where lower(identifier) in (select lower(email) from batch) or value in (select id::text from batch)
  returning id
), removed as (
  delete from users where id in (select id from batch) returning id
)
select (select count(*) from removed)::int as users, (select n from doomed_tasks)::int as tasks,
       (select n from doomed_archived)::int as archived, (select n from doomed_sessions)::int as sessions,
       (select n from doomed_accounts)::int as accounts, (select count(*) from removed_verifications)::int as verifications
