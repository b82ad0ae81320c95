-- The columns of the tables $1 (text[]), with what a probe row needs to know
-- (type, length, nullability, default, unique alone, a foreign key other than the
-- owner's) and what role $2 may insert and update, column by column.
SELECT c.relname::text AS table_name,
       a.attname::text AS column_name,
       format_type(a.atttypid, a.atttypmod) AS type,
       t.typname::text AS base_type,
       CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4 THEN a.atttypmod - 4 END AS max_length,
       a.attnotnull AS not_null,
       (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default,
       a.attgenerated <> '' AS generated,
       EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indkey::int2[] = ARRAY[a.attnum]) AS unique_alone,
       EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY(k.conkey)
               AND k.confrelid <> 'users'::regclass) AS other_foreign_key,
       has_column_privilege($2, c.oid, a.attnum, 'INSERT') AS can_insert,
       has_column_privilege($2, c.oid, a.attnum, 'UPDATE') AS can_update
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
ORDER BY c.relname, a.attnum
