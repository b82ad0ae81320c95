-- Row-level security for the Todo app (schema.md "Row-level security").
-- Idempotent: run it on a fresh, an intact or a drifted database alike.
-- Used by migration 0004_row_level_security and by `todo-db rls apply`;
-- psql users can run it directly: psql "$DATABASE_URL_UNPOOLED" -f sql/rls.sql

-- The application role. Cluster-wide, so another database may have created it
-- already, possibly at this very moment (hence the exception handler).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'todo_app') THEN
    CREATE ROLE todo_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;

-- Attributes that drifted later (say BYPASSRLS) are not silently reset here:
-- `todo-db verify` and `todo-db rls status` report them with the ALTER ROLE to run,
-- and `todo-db rls apply` runs it when connected as a superuser.

-- The current user, from a transaction-local setting; NULL when unset or empty,
-- so every policy matches nothing (fail closed).
CREATE OR REPLACE FUNCTION app_current_user_id() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.current_user_id', true), '')::uuid $$;

-- Exactly SELECT, INSERT, UPDATE, DELETE on both tables, nothing else.
REVOKE ALL ON users, tasks FROM todo_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, tasks TO todo_app;

-- FORCE: the table owner is subject to the policies too, unless it has BYPASSRLS.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;

-- Policies not in this file would widen access: remove them.
DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT policyname, tablename FROM pg_policies
           WHERE schemaname = current_schema() AND tablename IN ('users', 'tasks')
             AND policyname NOT IN ('users_select_self', 'users_update_self', 'tasks_select_own',
                                    'tasks_insert_own', 'tasks_update_own', 'tasks_delete_own') LOOP
    EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
  END LOOP;
END $$;

-- (SELECT app_current_user_id()) is evaluated once per statement, not per row.
DROP POLICY IF EXISTS users_select_self ON users;
CREATE POLICY users_select_self ON users FOR SELECT TO todo_app
  USING (id = (SELECT app_current_user_id()));

DROP POLICY IF EXISTS users_update_self ON users;
CREATE POLICY users_update_self ON users FOR UPDATE TO todo_app
  USING (id = (SELECT app_current_user_id()))
  WITH CHECK (id = (SELECT app_current_user_id()));

DROP POLICY IF EXISTS tasks_select_own ON tasks;
CREATE POLICY tasks_select_own ON tasks FOR SELECT TO todo_app
  USING (user_id = (SELECT app_current_user_id()));

DROP POLICY IF EXISTS tasks_insert_own ON tasks;
CREATE POLICY tasks_insert_own ON tasks FOR INSERT TO todo_app
  WITH CHECK (user_id = (SELECT app_current_user_id()));

-- WITH CHECK as well as USING: a task cannot be moved to another user.
DROP POLICY IF EXISTS tasks_update_own ON tasks;
CREATE POLICY tasks_update_own ON tasks FOR UPDATE TO todo_app
  USING (user_id = (SELECT app_current_user_id()))
  WITH CHECK (user_id = (SELECT app_current_user_id()));

DROP POLICY IF EXISTS tasks_delete_own ON tasks;
CREATE POLICY tasks_delete_own ON tasks FOR DELETE TO todo_app
  USING (user_id = (SELECT app_current_user_id()));
