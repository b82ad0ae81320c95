-- User triggers on the tables $1 (text[]) and the function each runs.
SELECT c.relname::text AS table_name, t.tgname::text AS trigger, p.proname::text AS function,
       p.prosecdef AS security_definer, p.prosrc AS body
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
ORDER BY 1, 2
