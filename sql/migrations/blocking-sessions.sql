-- Who holds up session $1 (a migration) while it waits for a lock. The outer
-- filter comes first: pg_blocking_pids takes the lock manager's locks, so it is
-- only asked while the migration is really waiting.
select b.pid,
       b.application_name,
       b.state,
       extract(epoch from now() - coalesce(b.xact_start, b.backend_start))::float8 as age_seconds,
       b.query
from pg_stat_activity w
cross join lateral unnest(pg_blocking_pids(w.pid)) as blocking(pid)
join pg_stat_activity b on b.pid = blocking.pid
where w.pid = $1 and w.wait_event_type = 'Lock'
order by b.xact_start nulls last;
