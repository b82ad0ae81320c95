-- Every relation outside the system schemas that a role of $1 (text[]) or PUBLIC
-- can use in any way, with what it is: tables, views (and whether they run with
-- the caller's rights), materialized views, sequences, foreign tables.
SELECT n.nspname::text AS schema_name, c.relname::text AS relation, c.relkind::text AS kind,
       coalesce('security_invoker=true' = ANY(c.reloptions) OR 'security_invoker=on' = ANY(c.reloptions), false) AS security_invoker,
       ARRAY(SELECT DISTINCT r.role_name FROM unnest($1::text[] || ARRAY['public']) AS r(role_name)
             WHERE (r.role_name = 'public' AND EXISTS (
                      SELECT FROM aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner))) x
                      WHERE x.grantee = 0))
                OR (r.role_name <> 'public' AND EXISTS (SELECT FROM pg_roles WHERE rolname = r.role_name)
                    AND (has_table_privilege(r.role_name, c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER')
                         OR (c.relkind = 'S' AND has_sequence_privilege(r.role_name, c.oid, 'USAGE,SELECT,UPDATE'))))
             ORDER BY 1) AS reachable_by
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
