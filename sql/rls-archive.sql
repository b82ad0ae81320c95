-- Row-level security for tasks_archive (contract v1.1.0), like sql/rls.sql for
-- users and tasks, which must have run first: it creates todo_app and
-- app_current_user_id(). Idempotent. Used by migration 0005_tasks_archive and by
-- `todo-db rls apply`; psql users: psql "$DATABASE_URL_UNPOOLED" -f sql/rls-archive.sql

-- The app reads and deletes its own archived tasks. Only `todo-db archive`, as the
-- maintenance role, writes them: no INSERT or UPDATE for todo_app (fail closed).
REVOKE ALL ON tasks_archive FROM todo_app;
GRANT SELECT, DELETE ON tasks_archive TO todo_app;

ALTER TABLE tasks_archive ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks_archive FORCE ROW LEVEL SECURITY;

-- Policies not in this file would widen access: remove them.
DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT policyname FROM pg_policies
           WHERE schemaname = current_schema() AND tablename = 'tasks_archive'
             AND policyname NOT IN ('tasks_archive_select_own', 'tasks_archive_delete_own') LOOP
    EXECUTE format('DROP POLICY %I ON tasks_archive', p.policyname);
  END LOOP;
END $$;

DROP POLICY IF EXISTS tasks_archive_select_own ON tasks_archive;
CREATE POLICY tasks_archive_select_own ON tasks_archive FOR SELECT TO todo_app
  USING (user_id = (SELECT app_current_user_id()));

DROP POLICY IF EXISTS tasks_archive_delete_own ON tasks_archive;
CREATE POLICY tasks_archive_delete_own ON tasks_archive FOR DELETE TO todo_app
  USING (user_id = (SELECT app_current_user_id()));
