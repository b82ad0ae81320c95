import { sql, type Kysely } from 'kysely';

/**
 * One catalog query per object kind, all scoped to `current_schema()`. Expressions
 * come back as the server renders them (`pg_get_expr`), so two spellings of the
 * same default or policy read the same.
 */

const IN_SCHEMA = sql`(select oid from pg_namespace where nspname = current_schema())`;

/** name[] is cast to text[]: not every driver parses name[]. */
const attnames = (rel: string, keys: string) =>
  sql.raw(`array(select a.attname::text from unnest(${keys}) with ordinality u(n, i)
     join pg_attribute a on a.attrelid = ${rel} and a.attnum = u.n order by u.i)`);

export interface RelationRow {
  name: string;
  kind: string;
  rls_enabled: boolean;
  rls_forced: boolean;
}
/** Extensions an operator adds for monitoring: the views they install are not schema drift. */
export const ALLOWED_EXTENSIONS: readonly string[] = ['pg_stat_statements'];

export const relations = (db: Kysely<any>, allowedExtensions: readonly string[] = ALLOWED_EXTENSIONS) =>
  sql<RelationRow>`
    select c.relname::text as name, c.relkind::text as kind, c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced
    from pg_class c where c.relnamespace = ${IN_SCHEMA} and c.relkind in ('r', 'p', 'v', 'm', 'f')
      and not exists (select from pg_depend d join pg_extension e on e.oid = d.refobjid
                      where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
                        and e.extname in (${sql.join(['', ...allowedExtensions].map((name) => sql.lit(name)))}))
    order by c.relname`.execute(db);

export interface ColumnRow {
  table: string;
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
}
export const columns = (db: Kysely<any>) =>
  sql<ColumnRow>`
    select c.relname::text as "table", a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type,
           not a.attnotnull as nullable, pg_get_expr(d.adbin, d.adrelid) as "default"
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace = ${IN_SCHEMA} and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`.execute(db);

export interface ConstraintRow {
  table: string;
  name: string;
  type: string;
  columns: string[];
  ref_table: string | null;
  ref_columns: string[];
  on_delete: string;
  on_update: string;
  expression: string | null;
}
/** PostgreSQL 18 records NOT NULL as constraints too (contype 'n'): those are column nullability. */
export const constraints = (db: Kysely<any>) =>
  sql<ConstraintRow>`
    select c.relname::text as "table", k.conname::text as name, k.contype::text as type,
           ${attnames('k.conrelid', 'k.conkey')} as columns,
           f.relname::text as ref_table,
           ${attnames('k.confrelid', 'k.confkey')} as ref_columns,
           k.confdeltype::text as on_delete, k.confupdtype::text as on_update,
           case when k.contype = 'c' then pg_get_expr(k.conbin, k.conrelid) end as expression
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    left join pg_class f on f.oid = k.confrelid
    where c.relnamespace = ${IN_SCHEMA} and k.contype in ('p', 'f', 'c', 'u', 'x')
    order by c.relname, k.conname`.execute(db);

export interface IndexRow {
  table: string;
  name: string;
  method: string;
  unique: boolean;
  columns: string[];
  where: string | null;
  valid: boolean;
  constraint_backed: boolean;
}
/** Column k of an index, with DESC and a non-default NULLS order (indoption bits 1 and 2). */
export const indexes = (db: Kysely<any>) =>
  sql<IndexRow>`
    select t.relname::text as "table", i.relname::text as name, am.amname::text as method, x.indisunique as "unique",
           array(select pg_get_indexdef(x.indexrelid, k, true)
                        || case when x.indoption[k - 1] & 1 = 1 then ' DESC' else '' end
                        || case when x.indoption[k - 1] & 3 = 1 then ' NULLS LAST'
                                when x.indoption[k - 1] & 3 = 2 then ' NULLS FIRST' else '' end
                 from generate_series(1, x.indnkeyatts::int) k order by k) as columns,
           pg_get_expr(x.indpred, x.indrelid) as "where", x.indisvalid as valid,
           exists (select from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = x.indrelid) as constraint_backed
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class t on t.oid = x.indrelid
    join pg_am am on am.oid = i.relam
    where t.relnamespace = ${IN_SCHEMA}
    order by t.relname, i.relname`.execute(db);

export interface TriggerRow {
  table: string;
  name: string;
  function: string;
  type: number;
  enabled: string;
}
/** Internal triggers (those behind foreign keys) are the constraint's business. */
export const triggers = (db: Kysely<any>) =>
  sql<TriggerRow>`
    select c.relname::text as "table", t.tgname::text as name,
           case when p.pronamespace = ${IN_SCHEMA} then p.proname::text else p.oid::regproc::text end as function,
           t.tgtype::int as type, t.tgenabled::text as enabled
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_proc p on p.oid = t.tgfoid
    where c.relnamespace = ${IN_SCHEMA} and not t.tgisinternal
    order by c.relname, t.tgname`.execute(db);

export interface PolicyRow {
  table: string;
  name: string;
  command: string;
  permissive: boolean;
  roles: string[];
  using: string | null;
  with_check: string | null;
}
export const policies = (db: Kysely<any>) =>
  sql<PolicyRow>`
    select c.relname::text as "table", p.polname::text as name, p.polcmd::text as command, p.polpermissive as permissive,
           array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end from unnest(p.polroles) r order by 1) as roles,
           pg_get_expr(p.polqual, p.polrelid) as "using", pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_policy p
    join pg_class c on c.oid = p.polrelid
    where c.relnamespace = ${IN_SCHEMA}
    order by c.relname, p.polname`.execute(db);

export interface GrantRow {
  table: string;
  role: string;
  privilege: string;
}
/** Privileges of the given roles and of PUBLIC; the owner's own privileges are implicit. */
export const grants = (db: Kysely<any>, roles: readonly string[]) =>
  sql<GrantRow>`
    select c.relname::text as "table", case when a.grantee = 0 then 'public' else pg_get_userbyid(a.grantee)::text end as role,
           a.privilege_type::text as privilege
    from pg_class c, aclexplode(c.relacl) a
    where c.relnamespace = ${IN_SCHEMA} and c.relkind in ('r', 'p') and a.grantee <> c.relowner
      and (a.grantee = 0 or pg_get_userbyid(a.grantee) in (${sql.join([...roles, ''])}))
    order by 1, 2, 3`.execute(db);

export interface FunctionRow {
  name: string;
  arguments: string;
  returns: string;
  language: string;
  volatility: string;
  security_definer: boolean;
  body: string;
}
/** Functions an extension installed are the extension's, not the schema's. */
export const functions = (db: Kysely<any>) =>
  sql<FunctionRow>`
    select p.proname::text as name, pg_get_function_identity_arguments(p.oid) as arguments,
           coalesce(pg_get_function_result(p.oid), '') as returns, l.lanname::text as language,
           p.provolatile::text as volatility, p.prosecdef as security_definer, coalesce(p.prosrc, '') as body
    from pg_proc p
    join pg_language l on l.oid = p.prolang
    where p.pronamespace = ${IN_SCHEMA}
      and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    order by 1, 2`.execute(db);

export interface RoleRow {
  name: string;
  superuser: boolean;
  login: boolean;
  inherit: boolean;
  create_db: boolean;
  create_role: boolean;
  replication: boolean;
  bypass_rls: boolean;
}
export const roles = (db: Kysely<any>, names: readonly string[]) =>
  sql<RoleRow>`
    select rolname::text as name, rolsuper as superuser, rolcanlogin as login, rolinherit as inherit, rolcreatedb as create_db,
           rolcreaterole as create_role, rolreplication as replication, rolbypassrls as bypass_rls
    from pg_roles where rolname in (${sql.join([...names, ''])})
    order by 1`.execute(db);
