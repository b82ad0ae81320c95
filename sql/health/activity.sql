-- The other client sessions on this database: what each runs, since when, and
-- which sessions block it. Never this session itself.
select a.pid,
       a.usename as "user",
       a.application_name as application,
       a.state,
       extract(epoch from now() - a.query_start)::float8 as query_seconds,
       extract(epoch from now() - a.state_change)::float8 as state_seconds,
       pg_blocking_pids(a.pid) as blocked_by,
       -- pg_blocking_pids says 0 for a prepared transaction: name it by its gid
       case when 0 = any(pg_blocking_pids(a.pid)) then (select array_agg(distinct p.gid order by p.gid)
          from pg_locks w
          join pg_locks h on h.granted and h.pid is null
           and h.locktype = w.locktype
           and h.database is not distinct from w.database and h.relation is not distinct from w.relation
           and h.page is not distinct from w.page and h.tuple is not distinct from w.tuple
           and h.transactionid is not distinct from w.transactionid
           and h.classid is not distinct from w.classid and h.objid is not distinct from w.objid
           and h.objsubid is not distinct from w.objsubid
          -- a prepared transaction's locks share the virtual id of its own transactionid lock
          join pg_locks x on x.pid is null and x.locktype = 'transactionid' and x.virtualtransaction = h.virtualtransaction
          join pg_prepared_xacts p on p.transaction = x.transactionid
         where w.pid = a.pid and not w.granted) end as blocked_by_prepared,
       left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 100) as query
from pg_stat_activity a
where a.datname = current_database()
  and a.pid <> pg_backend_pid()
  and a.backend_type = 'client backend'
order by a.query_start;
