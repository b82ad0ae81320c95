-- The tenant tables of the current schema: users (each row owned by its id) and
-- every table with a user_id column referencing users(id), with their RLS flags
-- and owner. A table an app migration adds is a tenant table by this rule alone.
WITH tenant AS (
  SELECT c.oid, c.relname::text AS table_name, 'id'::text AS owner_column
  FROM pg_class c
  WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = 'users' AND c.relkind IN ('r', 'p')
  UNION
  SELECT c.oid, c.relname::text, a.attname::text
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_class r ON r.oid = k.confrelid
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
  WHERE k.contype = 'f' AND cardinality(k.conkey) = 1 AND a.attname = 'user_id'
    AND r.relname = 'users' AND r.relnamespace = current_schema()::regnamespace
    AND c.relnamespace = current_schema()::regnamespace
)
SELECT t.table_name, t.owner_column, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
       pg_get_userbyid(c.relowner)::text AS owner,
       greatest(c.reltuples, 0)::bigint AS row_estimate
FROM tenant t JOIN pg_class c ON c.oid = t.oid
ORDER BY t.table_name = 'users' DESC, t.table_name
