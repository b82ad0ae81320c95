-- Run first, on health's own connection: its backend pid (to cancel its own query
-- on a deadline or Ctrl-C) and whether some relation of this database is under,
-- or queued for, an ACCESS EXCLUSIVE lock (then every catalog function that opens
-- a relation would wait). pg_locks itself takes no lock.
select pg_backend_pid() as pid,
       exists (
         select 1 from pg_locks l
         join pg_database d on d.oid = l.database and d.datname = current_database()
         where l.locktype = 'relation' and l.mode = 'AccessExclusiveLock' and l.pid is distinct from pg_backend_pid()
       ) as locked;
