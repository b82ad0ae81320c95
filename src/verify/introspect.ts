import type { Kysely } from 'kysely';
import { sortPrivileges, type FunctionShape, type PolicyCommand, type Privilege, type ReferentialAction, type RoleShape, type SchemaShape, type TableShape, type TriggerShape, type Volatility } from '../contract/types.js';
import * as q from './catalog-queries.js';

export interface IntrospectOptions {
  /** roles whose attributes and table privileges are read (PUBLIC's privileges always are) */
  roles: readonly string[];
  /** tables to leave out (migration bookkeeping) */
  ignoreTables?: readonly string[];
}

/** The live schema (`current_schema()`) in the contract's shape: one catalog query per object kind. */
export async function introspect(db: Kysely<any>, options: IntrospectOptions): Promise<SchemaShape> {
  const ignore = new Set(options.ignoreTables ?? []);
  const [rels, cols, cons, idx, trg, pol, acl, fns, rls] = await Promise.all([
    q.relations(db),
    q.columns(db),
    q.constraints(db),
    q.indexes(db),
    q.triggers(db),
    q.policies(db),
    q.grants(db, options.roles),
    q.functions(db),
    q.roles(db, options.roles),
  ]);
  const of = <R extends { table: string }>(rows: R[], table: string) => rows.filter((r) => r.table === table);
  const tables = rels.rows
    .filter((r) => !ignore.has(r.name))
    .map((rel): TableShape => {
      const mine = of(cons.rows, rel.name);
      const pk = mine.find((c) => c.type === 'p');
      return {
        name: rel.name,
        columns: of(cols.rows, rel.name).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, default: c.default })),
        primaryKey: pk ? { name: pk.name, columns: pk.columns } : null,
        foreignKeys: mine
          .filter((c) => c.type === 'f')
          .map((c) => ({
            name: c.name,
            columns: c.columns,
            references: { table: c.ref_table ?? '', columns: c.ref_columns },
            onDelete: ACTIONS[c.on_delete] ?? 'no action',
            onUpdate: ACTIONS[c.on_update] ?? 'no action',
          })),
        checks: mine.filter((c) => c.type === 'c').map((c) => ({ name: c.name, expression: c.expression ?? '' })),
        // exclusion constraints are rare enough to be reported as uniques by name
        uniques: mine.filter((c) => c.type === 'u' || c.type === 'x').map((c) => ({ name: c.name, columns: c.columns })),
        indexes: of(idx.rows, rel.name)
          .filter((i) => !i.constraint_backed)
          .map((i) => ({ name: i.name, columns: i.columns, unique: i.unique, method: i.method, where: i.where, ...(i.valid ? {} : { invalid: true }) })),
        triggers: of(trg.rows, rel.name).map(trigger),
        rls: { enabled: rel.rls_enabled, forced: rel.rls_forced },
        policies: of(pol.rows, rel.name).map((p) => ({
          name: p.name,
          command: COMMANDS[p.command] ?? 'all',
          permissive: p.permissive,
          roles: p.roles,
          using: p.using,
          withCheck: p.with_check,
        })),
        grants: grantsOf(of(acl.rows, rel.name)),
        ...(rel.kind === 'r' || rel.kind === 'p' ? {} : { kind: RELKINDS[rel.kind] ?? rel.kind }),
      };
    });
  const functions = fns.rows.map(
    (f): FunctionShape => ({
      name: f.name,
      arguments: f.arguments,
      returns: f.returns,
      language: f.language,
      volatility: VOLATILITY[f.volatility] ?? 'volatile',
      securityDefiner: f.security_definer,
      body: f.body,
    }),
  );
  const roles = rls.rows.map(
    (r): RoleShape => ({
      name: r.name,
      superuser: r.superuser,
      login: r.login,
      inherit: r.inherit,
      createDb: r.create_db,
      createRole: r.create_role,
      replication: r.replication,
      bypassRls: r.bypass_rls,
    }),
  );
  return { tables, functions, roles };
}

const ACTIONS: Record<string, ReferentialAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const COMMANDS: Record<string, PolicyCommand> = { r: 'select', a: 'insert', w: 'update', d: 'delete', '*': 'all' };
const VOLATILITY: Record<string, Volatility> = { i: 'immutable', s: 'stable', v: 'volatile' };
const RELKINDS: Record<string, string> = { v: 'view', m: 'materialized view', f: 'foreign table' };

/** pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h). */
function trigger(row: q.TriggerRow): TriggerShape {
  const t = row.type;
  const events = (
    [
      [4, 'insert'],
      [16, 'update'],
      [8, 'delete'],
      [32, 'truncate'],
    ] as const
  )
    .filter(([bit]) => (t & bit) !== 0)
    .map(([, event]) => event);
  return {
    name: row.name,
    timing: t & 64 ? 'instead of' : t & 2 ? 'before' : 'after',
    events,
    level: t & 1 ? 'row' : 'statement',
    function: row.function,
    enabled: row.enabled !== 'D',
  };
}

function grantsOf(rows: q.GrantRow[]): TableShape['grants'] {
  const byRole = new Map<string, Privilege[]>();
  for (const row of rows) byRole.set(row.role, [...(byRole.get(row.role) ?? []), row.privilege as Privilege]);
  return [...byRole].map(([role, privileges]) => ({ role, privileges: sortPrivileges(privileges) }));
}
