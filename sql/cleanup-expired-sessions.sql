-- Removes expired Better Auth sessions, 10,000 per run (one short transaction
-- each); repeat until it deletes 0 rows. The `expired-sessions` health check
-- points here. Any role that may delete sessions can run it: the owner, or the
-- auth service's login role (todo_auth).
--   psql "$DATABASE_URL_UNPOOLED" -f sql/cleanup-expired-sessions.sql
DELETE FROM sessions
WHERE id IN (SELECT id FROM sessions WHERE expires_at < now() LIMIT 10000)
