-- Every replication slot and the WAL it keeps on disk: a slot holds WAL from
-- its restart_lsn on until its consumer confirms it, so an inactive slot whose
-- standby is gone retains WAL until the disk fills (wal_status 'lost' once
-- max_slot_wal_keep_size gave up on it).
with here as (
  select case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end as lsn
)
select s.slot_name as name,
       s.slot_type as type,
       s.active,
       s.wal_status,
       s.restart_lsn::text as restart_lsn,
       coalesce(pg_wal_lsn_diff(here.lsn, s.restart_lsn), 0)::float8 as retained_bytes
from pg_replication_slots s, here
order by s.slot_name;
