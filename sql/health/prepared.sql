-- Prepared transactions (two-phase commit) of the whole cluster: one left behind
-- by a crashed coordinator holds its locks and holds back vacuum everywhere.
select p.gid,
       p.owner,
       p.database,
       p.transaction::text as xid,
       extract(epoch from now() - p.prepared)::float8 as age_seconds
from pg_prepared_xacts p
order by p.prepared;
