-- One row about this database and its server: transaction-id age (wraparound
-- headroom), how old the statistics are (since pg_stat_database.stats_reset), and connections against the limit.
-- Catalog and statistics views only: constant time on any database size.
select current_database() as database,
       age(d.datfrozenxid)::float8 as xid_age,
       current_setting('max_connections')::int as max_connections,
       (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as connections,
       -- null when the statistics were never reset: their age is then unknown
       -- (the server's start time says nothing: statistics survive a clean restart)
       extract(epoch from now() - s.stats_reset)::float8 as stats_age_seconds
from pg_database d
left join pg_stat_database s on s.datid = d.oid
where d.datname = current_database();
