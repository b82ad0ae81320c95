-- The other client sessions on this database: what each runs, since when, and
-- which sessions block it. Never this session itself.
select a.pid,
       a.usename as "user",
       a.application_name as application,
       a.state,
       extract(epoch from now() - a.query_start)::float8 as query_seconds,
       extract(epoch from now() - a.state_change)::float8 as state_seconds,
       pg_blocking_pids(a.pid) as blocked_by,
       left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 100) as query
from pg_stat_activity a
where a.datname = current_database()
  and a.pid <> pg_backend_pid()
  and a.backend_type = 'client backend'
order by a.query_start;
