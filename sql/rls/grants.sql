-- Privileges granted directly to a role ($1: role name) on the protected tables
-- ($2): table-level ones, then column-level ones as e.g. UPDATE(name, image).
SELECT c.relname AS "table",
       ARRAY(SELECT a.privilege_type
             FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS a
             WHERE a.grantee = r.oid
             ORDER BY array_position(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], a.privilege_type))
       || ARRAY(SELECT a.privilege_type || '(' || string_agg(att.attname, ', ' ORDER BY att.attnum) || ')'
                FROM pg_attribute att CROSS JOIN LATERAL aclexplode(att.attacl) AS a
                WHERE att.attrelid = c.oid AND att.attacl IS NOT NULL AND a.grantee = r.oid
                GROUP BY a.privilege_type
                ORDER BY array_position(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'], a.privilege_type)) AS privileges
FROM pg_class c
CROSS JOIN pg_roles r
WHERE r.rolname = $1 AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($2::text[])
ORDER BY array_position($2::text[], c.relname::text)
