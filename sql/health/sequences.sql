-- Every sequence of the current schema, identity columns included, and its range:
-- the range is capped by the column it feeds (a bigint sequence behind an integer
-- column fails at 2^31 - 1). last_value is null before the first nextval.
select s.sequencename as sequence,
       t.relname || '.' || a.attname as "column",
       coalesce(s.last_value, s.start_value)::float8 as last_value,
       s.last_value is null as unused,
       s.increment_by::float8 as increment_by,
       greatest(s.min_value::float8, case a.atttypid when 'int2'::regtype then -32768 when 'int4'::regtype then -2147483648 else s.min_value::float8 end) as min_value,
       least(s.max_value::float8, case a.atttypid when 'int2'::regtype then 32767 when 'int4'::regtype then 2147483647 else s.max_value::float8 end) as max_value
from pg_sequences s
join pg_namespace n on n.nspname = s.schemaname
join pg_class c on c.relnamespace = n.oid and c.relname = s.sequencename
left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = c.oid
  and d.refclassid = 'pg_class'::regclass and d.refobjsubid > 0 and d.deptype in ('a', 'i')
left join pg_class t on t.oid = d.refobjid
left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
where s.schemaname = current_schema()
order by s.sequencename;
