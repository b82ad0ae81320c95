-- RLS flags and owner of each protected table ($1: table names) in the current schema.
SELECT t.name AS "table",
       c.oid IS NOT NULL AS "exists",
       coalesce(c.relrowsecurity, false) AS enabled,
       coalesce(c.relforcerowsecurity, false) AS forced,
       pg_get_userbyid(c.relowner)::text AS owner
FROM unnest($1::text[]) WITH ORDINALITY AS t(name, n)
LEFT JOIN pg_class c
  ON c.relname = t.name AND c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
ORDER BY t.n
