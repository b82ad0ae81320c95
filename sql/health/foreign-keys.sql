-- Every foreign key of the current schema, and whether some valid index starts
-- with its columns (without one, deleting a parent row scans the child table).
-- A partial index (with a predicate) does not serve every row, so it does not
-- count; an expression column (indkey 0) never matches a key column.
select c.conname as "constraint",
       t.relname as "table",
       (select string_agg(a.attname, ', ' order by k.ord)
          from unnest(c.conkey) with ordinality as k(attnum, ord)
          join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as columns,
       exists (
         select 1 from pg_index x
         where x.indrelid = c.conrelid and x.indisvalid and x.indpred is null
           and (string_to_array(x.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey
           and (string_to_array(x.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] <@ c.conkey
       ) as indexed
from pg_constraint c
join pg_class t on t.oid = c.conrelid
join pg_namespace n on n.oid = t.relnamespace
where c.contype = 'f' and n.nspname = current_schema()
order by t.relname, c.conname;
