-- Unique indexes on the tables $1 (text[]) that span users (their keys do not
-- include the owner column $2[i]) over a column role $3 may write, where a
-- policy lets it (a write RLS refuses is refused before the index is checked):
-- a unique violation then tells one user whether another user's value exists.
SELECT c.relname::text AS table_name, i.relname::text AS index_name,
       ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) AS k(attnum)
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY 1) AS columns
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class c ON c.oid = x.indrelid
JOIN unnest($1::text[], $2::text[]) AS t(table_name, owner_column) ON t.table_name = c.relname
WHERE x.indisunique AND NOT x.indisprimary AND c.relnamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = t.owner_column AND a.attnum = ANY(x.indkey::int2[]))
  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY(x.indkey::int2[])
              AND ((has_column_privilege($3, c.oid, a.attnum, 'INSERT') AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polpermissive AND p.polcmd IN ('a', '*')
                                                                                       AND EXISTS (SELECT FROM unnest(p.polroles) AS r(oid) WHERE r.oid = 0 OR pg_has_role($3, r.oid, 'USAGE'))))
                OR (has_column_privilege($3, c.oid, a.attnum, 'UPDATE') AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polpermissive AND p.polcmd IN ('w', '*')
                                                                                       AND EXISTS (SELECT FROM unnest(p.polroles) AS r(oid) WHERE r.oid = 0 OR pg_has_role($3, r.oid, 'USAGE'))))))
ORDER BY 1, 2
