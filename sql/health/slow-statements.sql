-- The slowest statements on average in this database (needs pg_stat_statements,
-- installed and in shared_preload_libraries).
select left(regexp_replace(s.query, '\s+', ' ', 'g'), 100) as query,
       s.calls::float8 as calls,
       s.mean_exec_time::float8 as mean_ms
from pg_stat_statements s
join pg_database d on d.oid = s.dbid
where d.datname = current_database()
order by s.mean_exec_time desc
limit 5;
