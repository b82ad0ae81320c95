-- Indexes a failed or cancelled CREATE INDEX CONCURRENTLY left behind: PostgreSQL
-- keeps them (unusable, yet maintained on every write) until someone drops them.
-- Run before and after a migration that runs outside a transaction.
select c.relname as index
from pg_index i
join pg_class c on c.oid = i.indexrelid
join pg_namespace n on n.oid = c.relnamespace
where not i.indisvalid and n.nspname = current_schema()
order by 1;
