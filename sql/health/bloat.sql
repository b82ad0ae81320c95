-- Table and index bloat estimated from the planner statistics (pg_stats, pg_class),
-- without an extension and without reading a table: the well-known estimate that
-- Heroku pg-extras' `bloat` uses. "factor" is actual pages / expected pages;
-- "waste_bytes" what VACUUM FULL or REINDEX would give back. Only as good as the
-- last ANALYZE; the index estimate is rough (it assumes the table's row width).
with constants as (
  select current_setting('block_size')::numeric as bs, 23 as hdr, 8 as ma
), bloat_info as (
  select ma, bs, schemaname, tablename,
         (datawidth + (hdr + ma - (case when hdr % ma = 0 then ma else hdr % ma end)))::numeric as datahdr,
         (maxfracsum * (nullhdr + ma - (case when nullhdr % ma = 0 then ma else nullhdr % ma end))) as nullhdr2
  from (
    select s.schemaname, s.tablename, hdr, ma, bs,
           sum((1 - s.null_frac) * s.avg_width) as datawidth,
           max(s.null_frac) as maxfracsum,
           hdr + (select 1 + count(*) / 8 from pg_stats s2
                  where s2.null_frac <> 0 and s2.schemaname = s.schemaname and s2.tablename = s.tablename) as nullhdr
    from pg_stats s, constants
    where s.schemaname = current_schema()
    group by 1, 2, 3, 4, 5
  ) as foo
), tables as (
  select b.*, cc.oid, cc.relpages, cc.reltuples,
         ceil((greatest(cc.reltuples, 0) * ((datahdr + ma - (case when datahdr % ma = 0 then ma else datahdr % ma end)) + nullhdr2 + 4)) / (bs - 20::float)) as otta
  from bloat_info b
  join pg_namespace nn on nn.nspname = b.schemaname
  join pg_class cc on cc.relname = b.tablename and cc.relnamespace = nn.oid and cc.relkind in ('r', 'p')
)
select 'table' as kind, t.tablename as "table", t.tablename as object,
       case when t.otta = 0 then 0 else t.relpages / t.otta end::float8 as factor,
       (case when t.relpages < t.otta then 0 else t.bs * (t.relpages - t.otta) end)::float8 as waste_bytes
from tables t
union all
select 'index', t.tablename, c2.relname,
       case when iotta = 0 or c2.relpages = 0 then 0 else c2.relpages / iotta end::float8,
       (case when c2.relpages < iotta then 0 else t.bs * (c2.relpages - iotta) end)::float8
from tables t
join pg_index i on i.indrelid = t.oid
join pg_class c2 on c2.oid = i.indexrelid
cross join lateral (select coalesce(ceil((greatest(c2.reltuples, 0) * (t.datahdr - 12)) / (t.bs - 20::float)), 0) as iotta) x
order by waste_bytes desc;
