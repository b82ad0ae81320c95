import type { Kysely } from 'kysely';
import * as q from './catalog-queries.js';
import type { Attr, Catalog, CatalogObject, ObjectKind } from './types.js';

export interface ReadCatalogOptions {
  /** tables left out with everything on them (migration bookkeeping) */
  ignoreTables?: readonly string[];
  /**
   * The roles the schema declares: their attributes are read and their grants
   * compared exactly. Unset (when generating a snapshot): every grantee and policy
   * role other than the owner, PUBLIC and pg_* roles.
   */
  roles?: readonly string[];
  /**
   * Grants to roles outside `roles` are kept only where they reach one of these
   * tables (or any function): elsewhere they are the platform's business.
   */
  tenantTables?: readonly string[];
  /** the parameters RLS reads: role and database settings of them are objects */
  parameters?: readonly string[];
}

export interface CatalogRead {
  objects: Catalog;
  /** the declared roles (as given, or as discovered) */
  roles: string[];
  /** extensions present in the database, with how many of their objects are in the schema */
  extensions: q.ExtensionRow[];
}

/** The value of `owner` for an object owned by the role that owns the rest of the schema. */
export const COMMON_OWNER = 'common';

/**
 * Reads the live schema (`current_schema()`, its roles and settings) as catalog
 * objects, with the queries of catalog-queries.ts. Objects of extensions are left
 * out: the extension is the object.
 */
export async function readCatalog(db: Kysely<any>, options: ReadCatalogOptions = {}): Promise<CatalogRead> {
  const ignore = new Set(options.ignoreTables ?? []);
  const [rels, seqs, cols, cons, idx, trg, rul, pol, fns, typ, acl, ext, set] = await Promise.all([
    q.relations(db),
    q.sequences(db),
    q.columns(db),
    q.constraints(db),
    q.indexes(db),
    q.triggers(db),
    q.rules(db),
    q.policies(db),
    q.functions(db),
    q.types(db),
    q.acls(db),
    q.extensions(db),
    q.settings(db),
  ]);
  const mine = <R extends { table: string }>(list: R[]) => list.filter((r) => !ignore.has(r.table));
  const relations = rels.filter((r) => !ignore.has(r.name) && r.ext === null);
  const ownSequences = seqs.filter((s) => s.ext === null && !s.identity && !ignore.has((s.owned_by ?? '').split('.')[0] ?? ''));
  const ownFunctions = fns.filter((f) => f.ext === null);
  const owner = commonOwner([...relations.map((r) => r.owner), ...ownSequences.map((s) => s.owner), ...ownFunctions.map((f) => f.owner)]);
  const ownerAttr = (name: string) => (name === owner ? COMMON_OWNER : name);

  const out: Catalog = {};
  const add = (key: string, kind: ObjectKind, object: string, table: string | null, attrs: Record<string, Attr>) => {
    out[`${kind} ${key}`] = { kind, object, table, attrs };
  };

  for (const e of ext) add(e.name, 'extension', `extension ${e.name}`, null, {});
  const tables = new Set<string>();
  for (const r of relations) {
    if (r.kind === 'v' || r.kind === 'm') {
      const kind = r.kind === 'v' ? 'view' : 'materialized view';
      add(r.name, kind, r.name, null, { definition: r.definition, options: [...r.options].sort(), owner: ownerAttr(r.owner) });
      continue;
    }
    tables.add(r.name);
    add(r.name, 'table', r.name, r.name, {
      type: RELKINDS[r.kind] ?? r.kind,
      persistence: PERSISTENCE[r.persistence] ?? r.persistence,
      replicaIdentity: REPLICA_IDENTITY[r.replica_identity] ?? r.replica_identity,
      owner: ownerAttr(r.owner),
    });
    add(r.name, 'row-level security', `row-level security on ${r.name}`, r.name, { enabled: r.rls_enabled, forced: r.rls_forced });
  }
  for (const s of ownSequences) {
    add(s.name, 'sequence', `sequence ${s.name}`, null, {
      type: s.type,
      start: s.start,
      increment: s.increment,
      min: s.min,
      max: s.max,
      cache: s.cache,
      cycle: s.cycle,
      ownedBy: s.owned_by,
      owner: ownerAttr(s.owner),
    });
  }
  const grants: q.AclRow[] = [];
  for (const c of mine(cols)) {
    add(`${c.table}.${c.name}`, 'column', `${c.table}.${c.name}`, c.table, {
      position: c.position,
      type: c.type,
      nullable: !c.not_null,
      default: c.generated === '' ? c.default : null,
      generated: c.generated === '' ? null : `${c.default ?? ''} ${GENERATED[c.generated] ?? c.generated}`.trim(),
      identity: IDENTITY[c.identity] ?? null,
      collation: c.collation,
    });
    for (const a of c.acl ?? []) grants.push({ on: 'table', target: `${c.table}(${c.name})`, owner: '', role: a.role, privilege: a.privilege, grantable: a.grantable, ext: null });
  }
  for (const k of mine(cons)) {
    const fk = k.type === 'f';
    add(`${k.table}.${k.name}`, 'constraint', k.name, k.table, {
      type: CONSTRAINTS[k.type] ?? k.type,
      definition: bareDefinition(k.definition),
      ...(fk ? { onDelete: ACTIONS[k.on_delete] ?? k.on_delete, onUpdate: ACTIONS[k.on_update] ?? k.on_update } : {}),
      deferrable: k.deferrable ? (k.deferred ? 'DEFERRABLE INITIALLY DEFERRED' : 'DEFERRABLE INITIALLY IMMEDIATE') : 'NOT DEFERRABLE',
      validated: k.validated,
      ...(k.enforced ? {} : { enforced: false }),
      columns: k.columns,
      ...(fk ? { refTable: k.ref_table, refColumns: k.ref_columns } : {}),
    });
  }
  for (const i of mine(idx)) {
    if (i.constraint_backed) continue;
    add(i.name, 'index', i.name, i.table, {
      unique: i.unique,
      method: i.method,
      keys: i.keys,
      include: i.include,
      predicate: i.predicate,
      nullsNotDistinct: i.nulls_not_distinct,
      valid: i.valid,
    });
  }
  for (const t of mine(trg)) add(`${t.table}.${t.name}`, 'trigger', `trigger ${t.name}`, t.table, trigger(t));
  for (const r of mine(rul)) add(`${r.table}.${r.name}`, 'rule', `rule ${r.name}`, r.table, { definition: r.definition, enabled: ENABLED[r.enabled] ?? r.enabled });
  const policyRoles = new Set<string>();
  for (const p of mine(pol)) {
    for (const r of p.roles) policyRoles.add(r);
    add(`${p.table}.${p.name}`, 'policy', `policy ${p.name}`, p.table, {
      command: COMMANDS[p.command] ?? p.command,
      permissive: p.permissive,
      roles: p.roles,
      using: p.using,
      withCheck: p.with_check,
    });
  }
  for (const f of ownFunctions) {
    const sig = `${f.name}(${f.arguments})`;
    add(sig, 'function', `function ${sig}`, null, {
      kind: PROKINDS[f.kind] ?? f.kind,
      returns: f.returns,
      language: f.language,
      volatility: VOLATILITY[f.volatility] ?? f.volatility,
      securityDefiner: f.security_definer,
      strict: f.strict,
      leakproof: f.leakproof,
      parallel: PARALLEL[f.parallel] ?? f.parallel,
      config: [...f.config].sort(),
      body: f.body,
      owner: ownerAttr(f.owner),
    });
  }
  for (const t of typ.filter((x) => x.ext === null)) {
    add(
      t.name,
      'type',
      `type ${t.name}`,
      null,
      t.type === 'e' ? { type: 'enum', labels: t.labels } : { type: 'domain', base: t.base, nullable: !t.not_null, default: t.default, checks: t.checks },
    );
  }

  // Roles: as declared, or every grantee and policy role that is not the owner or built in.
  const aclRows = [...acl.filter((a) => a.ext === null && !(a.on !== 'schema' && ignore.has(a.target))), ...grants];
  const builtIn = (r: string) => r === 'public' || r === owner || r.startsWith('pg_');
  const declared = options.roles
    ? [...options.roles]
    : [...new Set([...aclRows.filter((a) => a.role !== a.owner).map((a) => a.role), ...policyRoles])].filter((r) => !builtIn(r)).sort();
  const reach = new Set(options.tenantTables ?? []);
  const grantMap = new Map<string, { on: string; target: string; role: string; privileges: string[] }>();
  for (const a of aclRows) {
    if (a.role === a.owner || a.role === owner) continue;
    if (a.role !== 'public' && !declared.includes(a.role)) {
      // Another role's grant matters where it reaches tenant data or code.
      const table = a.target.replace(/\(.*$/, '');
      if (!(a.on === 'function' || (a.on === 'table' && reach.has(table)))) continue;
    }
    const column = a.target.includes('(') && a.on === 'table';
    const on = column ? 'column' : a.on;
    const key = `${on}${a.target ? ` ${a.target}` : ''} to ${a.role}`;
    const entry = grantMap.get(key) ?? { on, target: a.target, role: a.role, privileges: [] };
    entry.privileges.push(a.privilege + (a.grantable ? ' WITH GRANT OPTION' : ''));
    grantMap.set(key, entry);
  }
  for (const [key, g] of grantMap) {
    const on = g.on === 'schema' ? 'the schema' : g.on === 'table' ? g.target : g.on === 'column' ? g.target : `${g.on} ${g.target}`;
    const table = g.on === 'table' || g.on === 'column' ? g.target.replace(/\(.*$/, '') : null;
    add(key, 'grant', `grant on ${on} to ${g.role}`, table && tables.has(table) ? table : null, { privileges: sortPrivileges(g.privileges) });
  }
  for (const r of await q.roles(db, declared)) {
    add(r.name, 'role', `role ${r.name}`, null, {
      superuser: r.superuser,
      login: r.login,
      inherit: r.inherit,
      createDb: r.create_db,
      createRole: r.create_role,
      replication: r.replication,
      bypassRls: r.bypass_rls,
      memberOf: r.member_of,
    });
  }
  const parameters = new Set(options.parameters ?? []);
  for (const s of set) {
    const [name, ...value] = s.setting.split('=');
    if (!name || !parameters.has(name)) continue;
    const where = [s.role ? `role ${s.role}` : 'every role', s.database ? `database ${s.database}` : 'every database'].join(' in ');
    add(`${name} for ${where}`, 'setting', `setting ${name} for ${where}`, null, { value: value.join('=') });
  }
  return { objects: sortCatalog(out), roles: declared, extensions: ext };
}

/** The role that owns most of the schema's objects: the maintenance role, whatever it is called here. */
function commonOwner(owners: string[]): string | null {
  const count = new Map<string, number>();
  for (const o of owners) count.set(o, (count.get(o) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

/** NOT VALID, DEFERRABLE and the referential actions are attributes of their own. */
function bareDefinition(definition: string): string {
  return definition
    .replace(/ NOT VALID$/, '')
    .replace(/ DEFERRABLE( INITIALLY (DEFERRED|IMMEDIATE))?/, '')
    .replace(/ ON (DELETE|UPDATE) (CASCADE|RESTRICT|SET NULL|SET DEFAULT|NO ACTION)( \([^)]*\))?/g, '')
    .replace(/ NOT ENFORCED$/, '');
}

/** pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h). */
function trigger(row: q.TriggerRow): Record<string, Attr> {
  const t = row.type;
  const events = (
    [
      [4, 'INSERT'],
      [16, 'UPDATE'],
      [8, 'DELETE'],
      [32, 'TRUNCATE'],
    ] as const
  )
    .filter(([bit]) => (t & bit) !== 0)
    .map(([, event]) => event);
  const when = / WHEN \((.*)\) EXECUTE (?:FUNCTION|PROCEDURE) /s.exec(row.definition)?.[1] ?? null;
  const fn = / EXECUTE (?:FUNCTION|PROCEDURE) (.*)$/s.exec(row.definition)?.[1] ?? '';
  return {
    timing: t & 64 ? 'INSTEAD OF' : t & 2 ? 'BEFORE' : 'AFTER',
    events,
    updateOf: row.update_of,
    level: t & 1 ? 'ROW' : 'STATEMENT',
    when,
    function: fn,
    referencing: [row.old_table ? `OLD TABLE AS ${row.old_table}` : '', row.new_table ? `NEW TABLE AS ${row.new_table}` : ''].filter(Boolean).join(' ') || null,
    enabled: ENABLED[row.enabled] ?? row.enabled,
  };
}

/** Table privileges in the order GRANT statements list them. */
export const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN', 'USAGE', 'CREATE', 'EXECUTE'] as const;
export function sortPrivileges(list: readonly string[]): string[] {
  const rank = (p: string) => PRIVILEGES.indexOf(p.split(' ')[0] as (typeof PRIVILEGES)[number]);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Keys in order, so two reads of one schema serialise identically. */
export function sortCatalog(catalog: Catalog): Catalog {
  return Object.fromEntries(Object.entries(catalog).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export const objectsOf = (catalog: Catalog, kind: ObjectKind): CatalogObject[] => Object.values(catalog).filter((o) => o.kind === kind);

const RELKINDS: Record<string, string> = { r: 'table', p: 'partitioned table', f: 'foreign table' };
const PERSISTENCE: Record<string, string> = { p: 'LOGGED', u: 'UNLOGGED', t: 'TEMPORARY' };
const REPLICA_IDENTITY: Record<string, string> = { d: 'DEFAULT', n: 'NOTHING', f: 'FULL', i: 'USING INDEX' };
const GENERATED: Record<string, string> = { s: 'STORED', v: 'VIRTUAL' };
const IDENTITY: Record<string, string> = { a: 'ALWAYS', d: 'BY DEFAULT' };
const CONSTRAINTS: Record<string, string> = { p: 'primary key', f: 'foreign key', c: 'check', u: 'unique', x: 'exclusion' };
const ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
const COMMANDS: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };
const VOLATILITY: Record<string, string> = { i: 'IMMUTABLE', s: 'STABLE', v: 'VOLATILE' };
const PARALLEL: Record<string, string> = { s: 'PARALLEL SAFE', r: 'PARALLEL RESTRICTED', u: 'PARALLEL UNSAFE' };
const PROKINDS: Record<string, string> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' };
const ENABLED: Record<string, string> = { O: 'ENABLED', D: 'DISABLED', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' };
