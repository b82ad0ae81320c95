import { sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * The catalog queries of `schema snapshot` and `verify`, one per object kind, all
 * scoped to `current_schema()` and read-only (no temporary objects, no CREATE):
 * verify runs them on a hot standby and as a role without CREATE. Expressions
 * come back as the server renders them. Columns that not every supported version
 * has are read through to_jsonb(row), so one query serves PostgreSQL 14 to 18.
 */

const NS = sql`(select oid from pg_namespace where nspname = current_schema())`;

/** The extension an object belongs to, if any (pg_depend 'e'). */
const extOf = (catalog: string, oid: string) =>
  sql.raw(`(select e.extname::text from pg_depend d join pg_extension e on e.oid = d.refobjid
     where d.classid = '${catalog}'::regclass and d.objid = ${oid} and d.deptype = 'e' limit 1)`);

/** name[] is cast to text[]: not every driver parses name[]. */
const attnames = (rel: string, keys: string) =>
  sql.raw(`array(select a.attname::text from unnest(${keys}::int2[]) with ordinality u(n, i)
     join pg_attribute a on a.attrelid = ${rel} and a.attnum = u.n order by u.i)`);

const rows = async <R>(db: Kysely<any>, query: RawBuilder<R>): Promise<R[]> => (await query.execute(db)).rows;

export interface RelationRow {
  name: string;
  kind: string;
  persistence: string;
  replica_identity: string;
  owner: string;
  rls_enabled: boolean;
  rls_forced: boolean;
  options: string[];
  definition: string | null;
  ext: string | null;
}
export const relations = (db: Kysely<any>) =>
  rows(
    db,
    sql<RelationRow>`
    select c.relname::text as name, c.relkind::text as kind, c.relpersistence::text as persistence,
           c.relreplident::text as replica_identity, pg_get_userbyid(c.relowner)::text as owner,
           c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
           coalesce(c.reloptions::text[], '{}') as options,
           case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid, true) end as definition,
           ${extOf('pg_class', 'c.oid')} as ext
    from pg_class c
    where c.relnamespace = ${NS} and c.relkind in ('r', 'p', 'v', 'm', 'f')
    order by c.relname`,
  );

export interface SequenceRow {
  name: string;
  owner: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  owned_by: string | null;
  identity: boolean;
  ext: string | null;
}
export const sequences = (db: Kysely<any>) =>
  rows(
    db,
    sql<SequenceRow>`
    select c.relname::text as name, pg_get_userbyid(c.relowner)::text as owner, format_type(s.seqtypid, null) as type,
           s.seqstart::text as start, s.seqincrement::text as increment, s.seqmin::text as min, s.seqmax::text as max,
           s.seqcache::text as cache, s.seqcycle as cycle,
           (select t.relname || '.' || a.attname from pg_depend d join pg_class t on t.oid = d.refobjid
              join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
             where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass
               and d.deptype in ('a', 'i') limit 1) as owned_by,
           exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'i') as identity,
           ${extOf('pg_class', 'c.oid')} as ext
    from pg_sequence s join pg_class c on c.oid = s.seqrelid
    where c.relnamespace = ${NS}
    order by 1`,
  );

export interface ColumnRow {
  table: string;
  name: string;
  position: number;
  type: string;
  not_null: boolean;
  default: string | null;
  identity: string;
  generated: string;
  collation: string | null;
  acl: Array<{ role: string; privilege: string; grantable: boolean }> | null;
}
export const columns = (db: Kysely<any>) =>
  rows(
    db,
    sql<ColumnRow>`
    select c.relname::text as "table", a.attname::text as name,
           (row_number() over (partition by c.oid order by a.attnum))::int as position,
           format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
           pg_get_expr(d.adbin, d.adrelid) as "default", a.attidentity::text as identity, a.attgenerated::text as generated,
           case when a.attcollation <> t.typcollation then (select co.collname::text from pg_collation co where co.oid = a.attcollation) end as collation,
           (select json_agg(json_build_object('role', case when x.grantee = 0 then 'public' else pg_get_userbyid(x.grantee)::text end,
                                              'privilege', x.privilege_type, 'grantable', x.is_grantable))
              from aclexplode(a.attacl) x) as acl
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace = ${NS} and c.relkind in ('r', 'p', 'f') and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`,
  );

export interface ConstraintRow {
  table: string;
  name: string;
  type: string;
  definition: string;
  deferrable: boolean;
  deferred: boolean;
  validated: boolean;
  enforced: boolean;
  on_delete: string;
  on_update: string;
  columns: string[];
  ref_table: string | null;
  ref_columns: string[];
}
/** PostgreSQL 18 records NOT NULL as constraints too (contype 'n'): that is column nullability, read there. */
export const constraints = (db: Kysely<any>) =>
  rows(
    db,
    sql<ConstraintRow>`
    select c.relname::text as "table", k.conname::text as name, k.contype::text as type, pg_get_constraintdef(k.oid) as definition,
           k.condeferrable as deferrable, k.condeferred as deferred, k.convalidated as validated,
           coalesce((to_jsonb(k) ->> 'conenforced')::boolean, true) as enforced,
           k.confdeltype::text as on_delete, k.confupdtype::text as on_update,
           ${attnames('k.conrelid', 'k.conkey')} as columns, f.relname::text as ref_table, ${attnames('k.confrelid', 'k.confkey')} as ref_columns
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    left join pg_class f on f.oid = k.confrelid
    where c.relnamespace = ${NS} and k.contype in ('p', 'f', 'c', 'u', 'x')
    order by c.relname, k.conname`,
  );

export interface IndexRow {
  table: string;
  name: string;
  method: string;
  unique: boolean;
  nulls_not_distinct: boolean;
  keys: string[];
  include: string[];
  predicate: string | null;
  valid: boolean;
  constraint_backed: boolean;
}
/**
 * Key k with its operator class and collation when not the default, then DESC
 * and a non-default NULLS order (indoption bits 1 and 2).
 */
export const indexes = (db: Kysely<any>) =>
  rows(
    db,
    sql<IndexRow>`
    select t.relname::text as "table", i.relname::text as name, am.amname::text as method, x.indisunique as "unique",
           coalesce((to_jsonb(x) ->> 'indnullsnotdistinct')::boolean, false) as nulls_not_distinct,
           array(select pg_get_indexdef(x.indexrelid, k, true)
                        || coalesce((select ' COLLATE ' || quote_ident(co.collname) from pg_collation co
                                      where co.oid = x.indcollation[k - 1] and co.oid <> 100
                                        and (x.indkey[k - 1] = 0 or co.oid <> (select a.attcollation from pg_attribute a where a.attrelid = x.indrelid and a.attnum = x.indkey[k - 1]))), '')
                        || coalesce((select ' ' || quote_ident(oc.opcname) from pg_opclass oc where oc.oid = x.indclass[k - 1] and not oc.opcdefault), '')
                        || case when x.indoption[k - 1] & 1 = 1 then ' DESC' else '' end
                        || case when x.indoption[k - 1] & 3 = 1 then ' NULLS LAST'
                                when x.indoption[k - 1] & 3 = 2 then ' NULLS FIRST' else '' end
                 from generate_series(1, x.indnkeyatts::int) k order by k) as keys,
           array(select pg_get_indexdef(x.indexrelid, k, true) from generate_series(x.indnkeyatts::int + 1, x.indnatts::int) k order by k) as include,
           pg_get_expr(x.indpred, x.indrelid) as predicate, x.indisvalid as valid,
           exists (select from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = x.indrelid) as constraint_backed
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class t on t.oid = x.indrelid
    join pg_am am on am.oid = i.relam
    where t.relnamespace = ${NS} and ${extOf('pg_class', 't.oid')} is null
    order by t.relname, i.relname`,
  );

export interface TriggerRow {
  table: string;
  name: string;
  type: number;
  enabled: string;
  definition: string;
  update_of: string[];
  old_table: string | null;
  new_table: string | null;
}
/** Internal triggers (those behind foreign keys) are the constraint's business. */
export const triggers = (db: Kysely<any>) =>
  rows(
    db,
    sql<TriggerRow>`
    select c.relname::text as "table", t.tgname::text as name, t.tgtype::int as type, t.tgenabled::text as enabled,
           pg_get_triggerdef(t.oid, true) as definition, ${attnames('t.tgrelid', 't.tgattr')} as update_of,
           t.tgoldtable::text as old_table, t.tgnewtable::text as new_table
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    where c.relnamespace = ${NS} and not t.tgisinternal
    order by c.relname, t.tgname`,
  );

export interface RuleRow {
  table: string;
  name: string;
  enabled: string;
  definition: string;
}
/** A view's own `_RETURN` rule is the view's definition. */
export const rules = (db: Kysely<any>) =>
  rows(
    db,
    sql<RuleRow>`
    select c.relname::text as "table", r.rulename::text as name, r.ev_enabled::text as enabled, pg_get_ruledef(r.oid, true) as definition
    from pg_rewrite r join pg_class c on c.oid = r.ev_class
    where c.relnamespace = ${NS} and r.rulename <> '_RETURN'
    order by 1, 2`,
  );

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
  rows(
    db,
    sql<PolicyRow>`
    select c.relname::text as "table", p.polname::text as name, p.polcmd::text as command, p.polpermissive as permissive,
           array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end from unnest(p.polroles) r order by 1) as roles,
           pg_get_expr(p.polqual, p.polrelid) as "using", pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_policy p
    join pg_class c on c.oid = p.polrelid
    where c.relnamespace = ${NS}
    order by c.relname, p.polname`,
  );

export interface FunctionRow {
  name: string;
  arguments: string;
  kind: string;
  returns: string;
  language: string;
  volatility: string;
  security_definer: boolean;
  strict: boolean;
  leakproof: boolean;
  parallel: string;
  config: string[];
  body: string;
  owner: string;
  ext: string | null;
}
/** A `BEGIN ATOMIC` / `RETURN` body lives in prosqlbody, not prosrc. */
export const functions = (db: Kysely<any>) =>
  rows(
    db,
    sql<FunctionRow>`
    select p.proname::text as name, pg_get_function_identity_arguments(p.oid) as arguments, p.prokind::text as kind,
           coalesce(pg_get_function_result(p.oid), '') as returns, l.lanname::text as language,
           p.provolatile::text as volatility, p.prosecdef as security_definer, p.proisstrict as strict, p.proleakproof as leakproof,
           p.proparallel::text as parallel, coalesce(p.proconfig::text[], '{}') as config,
           case when coalesce(p.prosrc, '') = '' then coalesce(pg_get_function_sqlbody(p.oid), '') else p.prosrc end as body,
           pg_get_userbyid(p.proowner)::text as owner, ${extOf('pg_proc', 'p.oid')} as ext
    from pg_proc p
    join pg_language l on l.oid = p.prolang
    where p.pronamespace = ${NS}
    order by 1, 2`,
  );

export interface TypeRow {
  name: string;
  type: string;
  labels: string[];
  base: string | null;
  not_null: boolean;
  default: string | null;
  checks: string[];
  ext: string | null;
}
/** Enums and domains; composite and array types come with their tables. */
export const types = (db: Kysely<any>) =>
  rows(
    db,
    sql<TypeRow>`
    select t.typname::text as name, t.typtype::text as type,
           array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as labels,
           case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end as base, t.typnotnull as not_null,
           t.typdefault as "default",
           array(select pg_get_constraintdef(k.oid) from pg_constraint k where k.contypid = t.oid and k.contype <> 'n' order by k.conname) as checks,
           ${extOf('pg_type', 't.oid')} as ext
    from pg_type t
    where t.typnamespace = ${NS} and t.typtype in ('e', 'd')
    order by 1`,
  );

export interface AclRow {
  on: 'table' | 'sequence' | 'function' | 'schema';
  target: string;
  owner: string;
  role: string;
  privilege: string;
  grantable: boolean;
  ext: string | null;
}
/** Every privilege on the schema's relations, functions and the schema itself; NULL ACLs read as their defaults. */
export const acls = (db: Kysely<any>) =>
  rows(
    db,
    sql<AclRow>`
    select case when c.relkind = 'S' then 'sequence' else 'table' end as "on", c.relname::text as target, pg_get_userbyid(c.relowner)::text as owner,
           case when x.grantee = 0 then 'public' else pg_get_userbyid(x.grantee)::text end as role, x.privilege_type::text as privilege,
           x.is_grantable as grantable, ${extOf('pg_class', 'c.oid')} as ext
    from pg_class c, aclexplode(coalesce(c.relacl, acldefault(case when c.relkind = 'S' then 's' else 'r' end::"char", c.relowner))) x
    where c.relnamespace = ${NS} and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
    union all
    select 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_userbyid(p.proowner)::text,
           case when x.grantee = 0 then 'public' else pg_get_userbyid(x.grantee)::text end, x.privilege_type::text, x.is_grantable,
           ${extOf('pg_proc', 'p.oid')}
    from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
    where p.pronamespace = ${NS}
    union all
    select 'schema', '', pg_get_userbyid(n.nspowner)::text, case when x.grantee = 0 then 'public' else pg_get_userbyid(x.grantee)::text end,
           x.privilege_type::text, x.is_grantable, null
    from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) x
    where n.oid = ${NS}
    order by 1, 2, 4, 5`,
  );

export interface ExtensionRow {
  name: string;
  version: string;
  members: number;
}
/** Database-wide; `members` counts the extension's objects in the current schema. */
export const extensions = (db: Kysely<any>) =>
  rows(
    db,
    sql<ExtensionRow>`
    select e.extname::text as name, e.extversion::text as version,
           (select count(*)::int from pg_depend d
             where d.refclassid = 'pg_extension'::regclass and d.refobjid = e.oid and d.deptype = 'e'
               and ((d.classid = 'pg_class'::regclass and d.objid in (select oid from pg_class where relnamespace = ${NS}))
                 or (d.classid = 'pg_proc'::regclass and d.objid in (select oid from pg_proc where pronamespace = ${NS})))) as members
    from pg_extension e order by 1`,
  );

export interface RoleRow {
  name: string;
  superuser: boolean;
  login: boolean;
  inherit: boolean;
  create_db: boolean;
  create_role: boolean;
  replication: boolean;
  bypass_rls: boolean;
  member_of: string[];
}
export const roles = (db: Kysely<any>, names: readonly string[]) =>
  rows(
    db,
    sql<RoleRow>`
    select r.rolname::text as name, r.rolsuper as superuser, r.rolcanlogin as login, r.rolinherit as inherit, r.rolcreatedb as create_db,
           r.rolcreaterole as create_role, r.rolreplication as replication, r.rolbypassrls as bypass_rls,
           array(select pg_get_userbyid(m.roleid)::text from pg_auth_members m where m.member = r.oid order by 1) as member_of
    from pg_roles r where r.rolname in (${sql.join([...names, ''])})
    order by 1`,
  );

export interface SettingRow {
  role: string | null;
  database: string | null;
  setting: string;
}
/** `ALTER ROLE … SET` and `ALTER DATABASE … SET` that apply in this database. */
export const settings = (db: Kysely<any>) =>
  rows(
    db,
    sql<SettingRow>`
    select case when s.setrole = 0 then null else pg_get_userbyid(s.setrole)::text end as role,
           case when s.setdatabase = 0 then null else (select datname::text from pg_database where oid = s.setdatabase) end as database,
           c as setting
    from pg_db_role_setting s, unnest(s.setconfig) c
    where s.setdatabase in (0, (select oid from pg_database where datname = current_database()))
    order by 1, 2, 3`,
  );

export const currentSchema = async (db: Kysely<any>): Promise<string> => (await sql<{ name: string }>`select current_schema()::text as name`.execute(db)).rows[0]?.name ?? 'public';
