-- Functions outside the system schemas that a role of $1 (text[]) can execute,
-- with what lets them hand over rows: SECURITY DEFINER, SET clauses, the body.
SELECT n.nspname::text AS schema_name, p.proname::text AS name,
       pg_get_function_identity_arguments(p.oid) AS arguments,
       p.prosecdef AS security_definer, p.provolatile::text AS volatility,
       coalesce(p.proconfig, '{}') AS config, p.prosrc AS body,
       ARRAY(SELECT r.role_name FROM unnest($1::text[]) AS r(role_name)
             WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = r.role_name) AND has_function_privilege(r.role_name, p.oid, 'EXECUTE')
             ORDER BY 1) AS executable_by
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2
