import { CompiledQuery, type Kysely } from 'kysely';
import { readSql } from '../../sql-file.js';

/** A table whose rows belong to users, and the column that says to whom. */
export interface Tenant {
  table: string;
  ownerColumn: string;
  enabled: boolean;
  forced: boolean;
  owner: string;
  rowEstimate: number;
  columns: Column[];
}

export interface Column {
  name: string;
  type: string;
  baseType: string;
  maxLength: number | null;
  notNull: boolean;
  hasDefault: boolean;
  generated: boolean;
  uniqueAlone: boolean;
  otherForeignKey: boolean;
  canInsert: boolean;
  canUpdate: boolean;
}

export interface TablePrivileges {
  role: string;
  table: string;
  select: boolean;
  insert: boolean;
  update: boolean;
  delete: boolean;
}

/** Rows of one sql/rls/proof/*.sql file. */
export async function proofRows<R>(db: Kysely<any>, file: string, parameters: unknown[] = []): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(readSql(`rls/proof/${file}`), parameters))).rows;
}

/** The tenant tables, from the live catalog, with their columns as `role` may use them. */
export async function readTenants(db: Kysely<any>, role: string): Promise<Tenant[]> {
  const tables = await proofRows<{ table_name: string; owner_column: string; enabled: boolean; forced: boolean; owner: string; row_estimate: string }>(db, 'tenants.sql');
  const names = tables.map((t) => t.table_name);
  const columns = await proofRows<Record<string, unknown>>(db, 'columns.sql', [names, role]);
  return tables.map((t) => ({
    table: t.table_name,
    ownerColumn: t.owner_column,
    enabled: t.enabled,
    forced: t.forced,
    owner: t.owner,
    rowEstimate: Number(t.row_estimate),
    columns: columns
      .filter((c) => c.table_name === t.table_name)
      .map((c) => ({
        name: String(c.column_name),
        type: String(c.type),
        baseType: String(c.base_type),
        maxLength: c.max_length === null ? null : Number(c.max_length),
        notNull: c.not_null === true,
        hasDefault: c.has_default === true,
        generated: c.generated === true,
        uniqueAlone: c.unique_alone === true,
        otherForeignKey: c.other_foreign_key === true,
        canInsert: c.can_insert === true,
        canUpdate: c.can_update === true,
      })),
  }));
}

/** What each of `roles` may do on each tenant table (roles that do not exist are left out). */
export async function readPrivileges(db: Kysely<any>, roles: readonly string[], tables: readonly string[]): Promise<TablePrivileges[]> {
  const rows = await proofRows<{ role_name: string; table_name: string; can_select: boolean; can_insert: boolean; can_update: boolean; can_delete: boolean }>(
    db,
    'table-privileges.sql',
    [roles, tables],
  );
  return rows.map((r) => ({ role: r.role_name, table: r.table_name, select: r.can_select, insert: r.can_insert, update: r.can_update, delete: r.can_delete }));
}
