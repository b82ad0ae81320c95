-- Reverses sql/rls-auth.sql on users (migration 0006_better_auth's down; the
-- auth tables themselves are dropped with their policies and grants).
DROP POLICY IF EXISTS users_auth_service ON users;
REVOKE ALL ON users FROM todo_auth;
-- Back to v1.1.0: todo_app may update users (table-level, as sql/rls.sql grants it).
REVOKE UPDATE (name, image) ON users FROM todo_app;
GRANT UPDATE ON users TO todo_app;

-- The role is cluster-wide: drop it only when nothing anywhere still depends on it.
DO $$
DECLARE auth oid := (SELECT oid FROM pg_roles WHERE rolname = 'todo_auth');
BEGIN
  IF auth IS NULL THEN
    RETURN;
  END IF;
  REVOKE ALL ON sessions, accounts, verifications, tasks, tasks_archive FROM todo_auth;
  IF NOT EXISTS (SELECT FROM pg_shdepend WHERE refclassid = 'pg_authid'::regclass AND refobjid = auth)
     AND NOT EXISTS (SELECT FROM pg_auth_members WHERE roleid = auth OR member = auth) THEN
    DROP ROLE todo_auth;
  END IF;
END $$;
