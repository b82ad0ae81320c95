-- Every index of the current schema with its usage, size and shape. The shape
-- (key columns, their order options and operator classes) is what redundancy is
-- judged on: an index whose keys are a left prefix of another's is covered by it.
select t.relname as "table",
       i.relname as "index",
       x.indisprimary as "primary",
       x.indisunique as "unique",
       x.indisvalid as valid,
       x.indkey::text as keys,
       x.indoption::text as options,
       x.indclass::text as opclasses,
       am.amname as method,
       x.indexprs is not null as expression,
       pg_get_expr(x.indpred, x.indrelid) as predicate,
       coalesce(s.idx_scan, 0)::float8 as scans,
       coalesce(s.idx_tup_read, 0)::float8 as tuples_read,
       pg_relation_size(i.oid)::float8 as bytes,
       i.oid::int8::float8 as oid
from pg_index x
join pg_class i on i.oid = x.indexrelid
join pg_class t on t.oid = x.indrelid
join pg_namespace n on n.oid = t.relnamespace
join pg_am am on am.oid = i.relam
left join pg_stat_user_indexes s on s.indexrelid = i.oid
where n.nspname = current_schema()
order by t.relname, i.relname;
