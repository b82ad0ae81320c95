-- One row about this database and its server: transaction-id age (wraparound
-- headroom), how old the statistics are, and connections against the limit.
-- Catalog and statistics views only: constant time on any database size.
select current_database() as database,
       age(d.datfrozenxid)::float8 as xid_age,
       current_setting('max_connections')::int as max_connections,
       (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as connections,
       extract(epoch from now() - coalesce(s.stats_reset, pg_postmaster_start_time()))::float8 as stats_age_seconds
from pg_database d
left join pg_stat_database s on s.datid = d.oid
where d.datname = current_database();
