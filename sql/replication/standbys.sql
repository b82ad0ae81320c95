-- Every standby streaming from this server (pg_stat_replication), with how far
-- behind it is. On a primary the reference is pg_current_wal_lsn(); on a
-- standby feeding cascaded standbys it is what this one has received (the
-- current LSN does not exist during recovery). Lags in bytes are exact; the
-- *_lag times are PostgreSQL's own measure and null once a standby is idle and
-- caught up. Columns are null for a role without pg_monitor.
with here as (
  select case when pg_is_in_recovery() then pg_last_wal_receive_lsn() else pg_current_wal_lsn() end as lsn
)
select r.application_name as name,
       r.client_addr::text as address,
       r.state,
       r.sync_state,
       r.replay_lsn::text as replay_lsn,
       pg_wal_lsn_diff(here.lsn, r.sent_lsn)::float8 as sent_lag_bytes,
       pg_wal_lsn_diff(here.lsn, r.write_lsn)::float8 as write_lag_bytes,
       pg_wal_lsn_diff(here.lsn, r.flush_lsn)::float8 as flush_lag_bytes,
       pg_wal_lsn_diff(here.lsn, r.replay_lsn)::float8 as replay_lag_bytes,
       extract(epoch from r.write_lag)::float8 as write_lag_seconds,
       extract(epoch from r.flush_lag)::float8 as flush_lag_seconds,
       extract(epoch from r.replay_lag)::float8 as replay_lag_seconds,
       extract(epoch from now() - r.reply_time)::float8 as reply_age_seconds
from pg_stat_replication r, here
order by r.application_name, r.pid;
