-- What each role of $1 (text[]) may do on each table of $2 (text[]), table-wide.
SELECT r.role_name, t.table_name,
       has_table_privilege(r.role_name, t.table_name, 'SELECT') AS can_select,
       has_table_privilege(r.role_name, t.table_name, 'INSERT') AS can_insert,
       has_table_privilege(r.role_name, t.table_name, 'UPDATE') OR EXISTS (
         SELECT FROM pg_attribute a WHERE a.attrelid = t.table_name::regclass AND a.attnum > 0 AND NOT a.attisdropped
           AND has_column_privilege(r.role_name, a.attrelid, a.attnum, 'UPDATE')) AS can_update,
       has_table_privilege(r.role_name, t.table_name, 'DELETE') AS can_delete
FROM unnest($1::text[]) AS r(role_name)
CROSS JOIN unnest($2::text[]) AS t(table_name)
WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = r.role_name)
