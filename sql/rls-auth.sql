-- The auth service's role and row-level security of the Better Auth tables
-- (contract v1.2.0). sql/rls.sql must have run first. Idempotent. Used by
-- migration 0006_better_auth and by `todo-db rls apply`;
-- psql users: psql "$DATABASE_URL_UNPOOLED" -f sql/rls-auth.sql
--
-- Better Auth (sign-up, sign-in, sessions, password reset, account deletion)
-- connects as a LOGIN role granted todo_auth: CREATE ROLE auth_login LOGIN PASSWORD '…' IN ROLE todo_auth;
-- Its access comes from the policies TO todo_auth below, not from BYPASSRLS:
-- role attributes (BYPASSRLS, SUPERUSER, LOGIN) are not inherited through
-- membership, so a NOLOGIN BYPASSRLS group would give its login members nothing,
-- and BYPASSRLS on the login role itself would open tasks too.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'todo_auth') THEN
    CREATE ROLE todo_auth NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;

-- The auth service reads and writes users and its own tables, and nothing else:
-- no grant on tasks or tasks_archive (deleting a user cascades to them as the
-- tables' owner, which needs no grant).
REVOKE ALL ON users, sessions, accounts, verifications, tasks, tasks_archive FROM todo_auth;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, sessions, accounts, verifications TO todo_auth;

-- Tokens and password hashes are not the app's: todo_app gets nothing on the
-- auth tables, and may not change a user's email or its verified flag.
REVOKE ALL ON sessions, accounts, verifications FROM todo_app;
REVOKE UPDATE ON users FROM todo_app;
GRANT UPDATE (name, image) ON users TO todo_app;

-- Forced, with no policy for todo_app: a stray grant still shows no row.
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE verifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE verifications FORCE ROW LEVEL SECURITY;

-- Policies not in this file would widen access: remove them.
DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT policyname, tablename FROM pg_policies
           WHERE schemaname = current_schema() AND tablename IN ('sessions', 'accounts', 'verifications')
             AND policyname NOT IN ('sessions_auth_service', 'accounts_auth_service', 'verifications_auth_service') LOOP
    EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
  END LOOP;
END $$;

-- Every row: the auth service finds a user by email and a session by token
-- before anyone is identified. The boundary is the role, not the row.
DROP POLICY IF EXISTS users_auth_service ON users;
CREATE POLICY users_auth_service ON users FOR ALL TO todo_auth USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS sessions_auth_service ON sessions;
CREATE POLICY sessions_auth_service ON sessions FOR ALL TO todo_auth USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS accounts_auth_service ON accounts;
CREATE POLICY accounts_auth_service ON accounts FOR ALL TO todo_auth USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS verifications_auth_service ON verifications;
CREATE POLICY verifications_auth_service ON verifications FOR ALL TO todo_auth USING (true) WITH CHECK (true);
