-- Reverses sql/rls.sql completely (migration 0004_row_level_security's down).
DROP POLICY IF EXISTS users_select_self ON users;
DROP POLICY IF EXISTS users_update_self ON users;
DROP POLICY IF EXISTS tasks_select_own ON tasks;
DROP POLICY IF EXISTS tasks_insert_own ON tasks;
DROP POLICY IF EXISTS tasks_update_own ON tasks;
DROP POLICY IF EXISTS tasks_delete_own ON tasks;

ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tasks DISABLE ROW LEVEL SECURITY;

DROP FUNCTION IF EXISTS app_current_user_id();

-- The role is cluster-wide: revoke what this database granted, and drop the role
-- only when nothing anywhere still depends on it (grants or objects in another
-- database, or a login role that was granted it).
DO $$
DECLARE app oid := (SELECT oid FROM pg_roles WHERE rolname = 'todo_app');
BEGIN
  IF app IS NULL THEN
    RETURN;
  END IF;
  REVOKE ALL ON users, tasks FROM todo_app;
  IF NOT EXISTS (SELECT FROM pg_shdepend WHERE refclassid = 'pg_authid'::regclass AND refobjid = app)
     AND NOT EXISTS (SELECT FROM pg_auth_members WHERE roleid = app OR member = app) THEN
    DROP ROLE todo_app;
  END IF;
END $$;
