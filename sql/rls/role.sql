-- One role ($1): the attributes that decide whether RLS applies to it, whether it
-- inherits the privileges of the application role ($2) and of the auth service's
-- role ($4), and which protected tables ($3) it owns. No row when the role does not exist.
SELECT r.rolname AS name,
       r.rolsuper AS superuser,
       r.rolbypassrls AS bypass_rls,
       r.rolcanlogin AS can_login,
       coalesce((SELECT pg_has_role(r.oid, a.oid, 'USAGE') FROM pg_roles a WHERE a.rolname = $2), false) AS inherits_app_role,
       coalesce((SELECT pg_has_role(r.oid, a.oid, 'MEMBER') FROM pg_roles a WHERE a.rolname = $4), false) AS in_auth_role,
       ARRAY(SELECT c.relname::text FROM pg_class c
             WHERE c.relowner = r.oid AND c.relnamespace = current_schema()::regnamespace
               AND c.relname = ANY($3::text[])
             ORDER BY array_position($3::text[], c.relname::text)) AS owns
FROM pg_roles r
WHERE r.rolname = $1
