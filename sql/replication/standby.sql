-- A standby's own view of its replication: what it has received and replayed,
-- whether replay is paused, when it last replayed a transaction, and its
-- connection to the primary (pg_stat_wal_receiver; no row when it is not
-- streaming, e.g. a managed read replica fed another way, or a lost primary).
-- On a primary: one row with standby false and the rest null.
select pg_is_in_recovery() as standby,
       case when pg_is_in_recovery() then pg_last_wal_receive_lsn()::text end as receive_lsn,
       case when pg_is_in_recovery() then pg_last_wal_replay_lsn()::text end as replay_lsn,
       case when pg_is_in_recovery() then coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::float8 end as replay_behind_bytes,
       case when pg_is_in_recovery() then pg_is_wal_replay_paused() end as paused,
       pg_last_xact_replay_timestamp() as replayed_at,
       extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as replayed_age_seconds,
       w.status as receiver_status,
       case when w.sender_host is not null then w.sender_host || ':' || w.sender_port end as primary,
       w.slot_name as slot,
       extract(epoch from now() - w.last_msg_receipt_time)::float8 as receiver_silence_seconds
from (select 1) one
left join pg_stat_wal_receiver w on true;
