-- Every table of the current schema: live and dead rows, scans, cache reads,
-- vacuum and analyze age, sizes and row-level-security flags.
-- Statistics views only (no table is read): constant time on any database size.
-- The size functions open the relation, so they wait behind an ACCESS EXCLUSIVE
-- lock: for a table (or one of its indexes) under such a lock they are skipped
-- and size_locked says so (health names the holder).
with locked as materialized (
  select l.relation from pg_locks l
  join pg_database d on d.oid = l.database and d.datname = current_database()
  where l.locktype = 'relation' and l.mode = 'AccessExclusiveLock' and l.pid is distinct from pg_backend_pid()
)
select c.relname as "table",
       coalesce(s.n_live_tup, 0)::float8 as live,
       coalesce(s.n_dead_tup, 0)::float8 as dead,
       coalesce(s.seq_scan, 0)::float8 as seq_scans,
       coalesce(s.idx_scan, 0)::float8 as idx_scans,
       coalesce(s.n_mod_since_analyze, 0)::float8 as modified_since_analyze,
       extract(epoch from now() - greatest(s.last_analyze, s.last_autoanalyze))::float8 as analyzed_seconds_ago,
       extract(epoch from now() - greatest(s.last_vacuum, s.last_autovacuum))::float8 as vacuumed_seconds_ago,
       coalesce(io.heap_blks_hit, 0)::float8 as heap_hit,
       coalesce(io.heap_blks_read, 0)::float8 as heap_read,
       coalesce(io.idx_blks_hit, 0)::float8 as idx_hit,
       coalesce(io.idx_blks_read, 0)::float8 as idx_read,
       l.size_locked,
       case when l.size_locked then null else pg_table_size(c.oid)::float8 end as table_bytes,
       case when l.size_locked then null else pg_indexes_size(c.oid)::float8 end as index_bytes,
       c.relrowsecurity as rls_enabled,
       c.relforcerowsecurity as rls_forced
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_stat_user_tables s on s.relid = c.oid
left join pg_statio_user_tables io on io.relid = c.oid
cross join lateral (
  select exists (select 1 from locked k where k.relation in (c.oid, c.reltoastrelid)
                 or k.relation in (select i.indexrelid from pg_index i where i.indrelid = c.oid)) as size_locked
) l
where n.nspname = current_schema() and c.relkind in ('r', 'p')
order by c.relname;
