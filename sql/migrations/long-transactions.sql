-- Transactions on this database open for at least $1 seconds: a concurrent index
-- build waits for every one of them before it can finish.
select pid,
       extract(epoch from now() - xact_start)::int as seconds,
       coalesce(query, '') as query
from pg_stat_activity
where datname = current_database()
  and pid <> pg_backend_pid()
  and xact_start is not null
  and now() - xact_start >= make_interval(secs => $1)
order by xact_start;
