-- The settings replication depends on, and how many WAL senders are in use
-- (each standby, and each pg_basebackup while it runs, takes one).
select current_setting('wal_level') as wal_level,
       current_setting('max_wal_senders')::int as max_wal_senders,
       current_setting('max_replication_slots')::int as max_replication_slots,
       (select count(*) from pg_stat_replication)::int as wal_senders,
       (select count(*) from pg_replication_slots)::int as slots,
       pg_is_in_recovery() as standby;
