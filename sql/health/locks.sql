-- Who holds (or queues for) an ACCESS EXCLUSIVE lock on a relation of this
-- database: a session (pid, state, transaction age, query) or a prepared
-- transaction (pid is null in pg_locks: it is named by its gid). An index is
-- reported with its table. Catalog and lock views only: this never waits.
select l.granted,
       coalesce(t.relname, c.relname, 'relation ' || l.relation::text) as "table",
       l.pid,
       p.gid,
       a.state,
       a.usename as "user",
       a.application_name as application,
       extract(epoch from now() - coalesce(a.xact_start, p.prepared))::float8 as age_seconds,
       left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 100) as query
from pg_locks l
join pg_database d on d.oid = l.database and d.datname = current_database()
left join pg_class c on c.oid = l.relation
left join pg_index i on i.indexrelid = l.relation
left join pg_class t on t.oid = i.indrelid
left join pg_stat_activity a on a.pid = l.pid
-- a prepared transaction's locks share the virtual id of its own transactionid lock
left join pg_locks x on l.pid is null and x.pid is null and x.locktype = 'transactionid' and x.virtualtransaction = l.virtualtransaction
left join pg_prepared_xacts p on p.transaction = x.transactionid
where l.locktype = 'relation' and l.mode = 'AccessExclusiveLock' and l.pid is distinct from pg_backend_pid()
order by l.granted desc, age_seconds desc nulls last;
