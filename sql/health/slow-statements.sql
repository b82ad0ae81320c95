-- The slowest statements on average in this database (needs pg_stat_statements,
-- installed and in shared_preload_libraries). Maintenance is slow by nature and
-- says nothing about the app, so it is left out: COPY, VACUUM, ANALYZE, CREATE
-- INDEX, REINDEX, CLUSTER and other DDL, transaction control, and catalog reads
-- (todo-db's own health, verify and monitor statements read pg_catalog views).
select left(regexp_replace(s.query, '\s+', ' ', 'g'), 100) as query,
       s.calls::float8 as calls,
       s.mean_exec_time::float8 as mean_ms
from pg_stat_statements s
join pg_database d on d.oid = s.dbid
where d.datname = current_database()
  and s.query !~* '^\s*(copy|vacuum|analyze|create|alter|drop|reindex|cluster|refresh|truncate|grant|revoke|comment|lock|begin|commit|rollback|savepoint|release|set|reset|show|explain|prepare|deallocate|discard|checkpoint|do)\M'
  and s.query !~* '\m(pg_catalog|pg_class|pg_namespace|pg_index|pg_attribute|pg_constraint|pg_policy|pg_roles|pg_database|pg_extension|pg_locks|pg_proc|pg_trigger|pg_depend|pg_sequences|pg_stats|pg_prepared_xacts|pg_stat_\w+|pg_statio_\w+|information_schema)\M'
order by s.mean_exec_time desc
limit 5;
