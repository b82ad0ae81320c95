-- Login roles that are members of both the application role ($1) and the auth
-- service's role ($2): such a connection can be both, and the app's boundary is gone.
-- Superusers are members of every role; they are reported as superusers elsewhere.
SELECT r.rolname AS name
FROM pg_roles r
WHERE r.rolcanlogin AND NOT r.rolsuper
  AND EXISTS (SELECT FROM pg_roles a WHERE a.rolname = $1 AND pg_has_role(r.oid, a.oid, 'MEMBER'))
  AND EXISTS (SELECT FROM pg_roles a WHERE a.rolname = $2 AND pg_has_role(r.oid, a.oid, 'MEMBER'))
ORDER BY 1
