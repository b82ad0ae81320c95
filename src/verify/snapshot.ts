import { sql, type Kysely } from 'kysely';
import { BOOKKEEPING_TABLES } from '../migrations/bookkeeping.js';

/**
 * Everything a migration can leave behind in one database, as sorted lines: relations,
 * columns, constraints, indexes, triggers, policies, grants, functions, types,
 * schemas, extensions, and the shared-catalog dependencies on roles recorded for
 * this database (pg_shdepend). Migration bookkeeping is left out. Two snapshots of
 * the same database are compared as multisets of lines.
 */
export async function catalogSnapshot(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ item: string }>`
    with ns as (select oid from pg_namespace where nspname = current_schema()),
    book as (select c.oid from pg_class c where c.relnamespace = (select oid from ns) and c.relname in (${sql.join([...BOOKKEEPING_TABLES])})),
    rel as (
      select c.* from pg_class c
      where c.relnamespace = (select oid from ns) and c.oid not in (select oid from book)
        and not exists (select from pg_index x where x.indexrelid = c.oid and x.indrelid in (select oid from book))
    )
    select item from (
      select format('relation %s %s%s', c.relkind, c.relname,
                    case when c.relrowsecurity then ' rls' else '' end || case when c.relforcerowsecurity then ' forced' else '' end) as item
        from rel c where c.relkind not in ('i', 'I')
      union all
      select format('column %s.%s %s%s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                    case when a.attnotnull then ' not null' else '' end, coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''))
        from rel c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where c.relkind not in ('i', 'I', 'S')
      union all
      select format('index %s', pg_get_indexdef(c.oid)) from rel c where c.relkind in ('i', 'I')
      union all
      select format('constraint %s on %s: %s', k.conname, c.relname, pg_get_constraintdef(k.oid))
        from pg_constraint k join rel c on c.oid = k.conrelid
      union all
      select format('trigger %s', pg_get_triggerdef(t.oid)) from pg_trigger t join rel c on c.oid = t.tgrelid where not t.tgisinternal
      union all
      select format('policy %s on %s: %s %s to %s using (%s) with check (%s)', p.polname, c.relname, p.polcmd,
                    case when p.polpermissive then 'permissive' else 'restrictive' end,
                    array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end from unnest(p.polroles) r order by 1)::text,
                    pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
        from pg_policy p join rel c on c.oid = p.polrelid
      union all
      select format('grant %s on %s to %s', a.privilege_type, c.relname, case when a.grantee = 0 then 'public' else pg_get_userbyid(a.grantee) end)
        from rel c, aclexplode(c.relacl) a where a.grantee <> c.relowner
      union all
      select format('function %s %s %s', p.oid::regprocedure, p.provolatile, md5(coalesce(p.prosrc, '')))
        from pg_proc p where p.pronamespace = (select oid from ns)
      union all
      select format('type %s %s', t.typname, t.typtype) from pg_type t
        where t.typnamespace = (select oid from ns) and t.typrelid = 0 and not exists (select from pg_type e where e.typarray = t.oid)
      union all
      select format('schema %s', n.nspname) from pg_namespace n where n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
      union all
      select format('extension %s', e.extname) from pg_extension e
      union all
      select format('role dependency: %s on %s (%s)', pg_describe_object(s.classid, s.objid, s.objsubid), pg_get_userbyid(s.refobjid), s.deptype)
        from pg_shdepend s
        where s.dbid = (select oid from pg_database where datname = current_database()) and s.refclassid = 'pg_authid'::regclass
          and not (s.classid = 'pg_class'::regclass and s.objid in (select oid from book))
    ) items
    order by item`.execute(db);
  return rows.map((r) => r.item);
}

/** Lines in `after` but not `before` (left behind) and the reverse (removed), as multisets. */
export function diffSnapshots(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const count = new Map<string, number>();
  for (const line of before) count.set(line, (count.get(line) ?? 0) + 1);
  const added: string[] = [];
  for (const line of after) {
    const n = count.get(line) ?? 0;
    if (n > 0) count.set(line, n - 1);
    else added.push(line);
  }
  const removed = [...count].flatMap(([line, n]) => Array<string>(n).fill(line));
  return { added, removed };
}
