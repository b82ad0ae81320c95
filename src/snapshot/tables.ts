import type { Catalog, CatalogObject, Snapshot } from './types.js';

/**
 * The tables of a catalog in the shape the derived files need (Kysely types,
 * the diagram, the table lists of cleanup, archive, backup, health and monitor,
 * the RLS declaration).
 */
export interface TableInfo {
  name: string;
  columns: Array<{ name: string; type: string; nullable: boolean; default: string | null; identity: string | null; generated: string | null }>;
  primaryKey: { name: string; columns: string[] } | null;
  foreignKeys: Array<{ name: string; columns: string[]; references: { table: string; columns: string[] }; onDelete: string }>;
  uniques: Array<{ name: string; columns: string[] }>;
  /** indexes besides those of constraints */
  indexes: Array<{ name: string; keys: string[]; unique: boolean; predicate: string | null }>;
  rls: { enabled: boolean; forced: boolean };
  policies: Array<{ name: string; command: string; roles: string[]; using: string | null; withCheck: string | null; permissive: boolean }>;
  /** role → privileges on the table */
  grants: Record<string, string[]>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const strs = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);

export function tablesOf(catalog: Catalog): TableInfo[] {
  const all = Object.values(catalog);
  const on = (table: string, kind: CatalogObject['kind']) => all.filter((o) => o.kind === kind && o.table === table);
  return all
    .filter((o) => o.kind === 'table')
    .map((t): TableInfo => {
      const name = t.object;
      const constraints = on(name, 'constraint');
      const pk = constraints.find((c) => c.attrs.type === 'primary key');
      const rls = on(name, 'row-level security')[0];
      return {
        name,
        columns: on(name, 'column')
          .sort((a, b) => Number(a.attrs.position) - Number(b.attrs.position))
          .map((c) => ({
            name: c.object.slice(name.length + 1),
            type: String(c.attrs.type),
            nullable: c.attrs.nullable === true,
            default: str(c.attrs.default),
            identity: str(c.attrs.identity),
            generated: str(c.attrs.generated),
          })),
        primaryKey: pk ? { name: pk.object, columns: strs(pk.attrs.columns) } : null,
        foreignKeys: constraints
          .filter((c) => c.attrs.type === 'foreign key')
          .map((c) => ({
            name: c.object,
            columns: strs(c.attrs.columns),
            references: { table: String(c.attrs.refTable), columns: strs(c.attrs.refColumns) },
            onDelete: String(c.attrs.onDelete),
          })),
        uniques: constraints.filter((c) => c.attrs.type === 'unique').map((c) => ({ name: c.object, columns: strs(c.attrs.columns) })),
        indexes: on(name, 'index').map((i) => ({ name: i.object, keys: strs(i.attrs.keys), unique: i.attrs.unique === true, predicate: str(i.attrs.predicate) })),
        rls: { enabled: rls?.attrs.enabled === true, forced: rls?.attrs.forced === true },
        policies: on(name, 'policy').map((p) => ({
          name: p.object.replace(/^policy /, ''),
          command: String(p.attrs.command),
          roles: strs(p.attrs.roles),
          using: str(p.attrs.using),
          withCheck: str(p.attrs.withCheck),
          permissive: p.attrs.permissive === true,
        })),
        grants: Object.fromEntries(
          on(name, 'grant')
            .filter((g) => g.object.startsWith(`grant on ${name} to `))
            .map((g) => [g.object.slice(`grant on ${name} to `.length), strs(g.attrs.privileges)]),
        ),
      };
    });
}

/** Referenced tables before those that reference them, then by name: the order cleanup, backup and health list them in. */
export function tableNames(snapshot: Pick<Snapshot, 'objects'>): string[] {
  return parentsFirst(tablesOf(snapshot.objects)).map((t) => t.name);
}

/** Tables with row-level security: tenant data the app role reaches only through policies. */
export function tenantTables(catalog: Catalog): string[] {
  return tablesOf(catalog)
    .filter((t) => t.rls.enabled)
    .map((t) => t.name);
}

/** The settings the schema's functions read with current_setting(): the RLS parameter among them. */
export function settingParameters(catalog: Catalog): string[] {
  const found = new Set<string>();
  for (const o of Object.values(catalog)) {
    if (o.kind !== 'function') continue;
    for (const m of String(o.attrs.body ?? '').matchAll(/current_setting\(\s*'([^']+)'/g)) found.add(m[1]!);
  }
  return [...found].sort();
}

export function parentsFirst(tables: TableInfo[]): TableInfo[] {
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const rest = [...tables].sort((a, b) => (a.name < b.name ? -1 : 1));
  while (rest.length > 0) {
    const ready = rest.findIndex((t) =>
      t.foreignKeys.every((fk) => fk.references.table === t.name || done.has(fk.references.table) || !rest.some((r) => r.name === fk.references.table)),
    );
    const [next] = rest.splice(ready === -1 ? 0 : ready, 1);
    out.push(next!);
    done.add(next!.name);
  }
  return out;
}
