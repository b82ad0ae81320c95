import { randomUUID } from 'node:crypto';
import type { Column, Tenant } from './catalog.js';

export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

const OLD = '2001-01-01T00:00:00Z';
let serial = 0;

/** A value of the column's type that no other probe row has (unique columns stay unique). */
function fresh(column: Column, long = false): Value | undefined {
  const tag = `${Date.now().toString(36)}${(++serial).toString(36)}`;
  switch (column.baseType) {
    case 'bool':
      return false;
    case 'uuid':
      return randomUUID();
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'citext': {
      const short = column.name.includes('email') ? `rls-probe-${tag}@example.com` : `rls probe ${tag}`;
      if (!long) return short;
      const max = column.maxLength ?? 300;
      return column.name.includes('email') ? `${'x'.repeat(Math.max(0, max - short.length))}${short}`.slice(-max) : short.padEnd(max, ' long').slice(0, max);
    }
    case 'timestamptz':
    case 'timestamp':
      return new Date().toISOString();
    case 'date':
      return new Date().toISOString().slice(0, 10);
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float4':
    case 'float8':
      return serial;
    case 'jsonb':
    case 'json':
      return '{}';
    default:
      return undefined;
  }
}

/**
 * The states of a column a policy predicate could single out: each boolean, null
 * and not null, an old and a new timestamp, short and long text, small and large
 * numbers. A leak keyed on any of them shows with these rows.
 */
function states(column: Column): Value[] {
  const out: Value[] = [];
  switch (column.baseType) {
    case 'bool':
      out.push(true, false);
      break;
    case 'timestamptz':
    case 'timestamp':
      out.push(OLD, new Date().toISOString());
      break;
    case 'date':
      out.push(OLD.slice(0, 10), new Date().toISOString().slice(0, 10));
      break;
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
      out.push(0, column.baseType === 'int2' ? 32000 : 2_000_000_000);
      break;
    default: {
      const short = fresh(column);
      if (short !== undefined) out.push(short, fresh(column, true) ?? short);
    }
  }
  if (!column.notNull) out.push(null);
  return out;
}

const settable = (c: Column, owner: string) => c.name !== owner && !c.generated && !c.otherForeignKey;

/** The columns a row must be given, or null when one cannot be generated (another table's key, an unknown type). */
function base(tenant: Tenant, ownerId: string): Row | null {
  const row: Row = { [tenant.ownerColumn]: ownerId };
  for (const c of tenant.columns) {
    if (c.name === tenant.ownerColumn || c.hasDefault || !c.notNull) continue;
    const value = c.otherForeignKey ? undefined : fresh(c);
    if (value === undefined) return null;
    row[c.name] = value;
  }
  return row;
}

/**
 * Probe rows of `ownerId` in a tenant table: one base row, then one row per state
 * of each column. Unique columns get fresh values in every row. users rows are
 * owned by their own id, so each state there is a user of its own.
 */
export function probeRows(tenant: Tenant, ownerId: string | (() => string)): Row[] | null {
  const owner = () => (typeof ownerId === 'string' ? ownerId : ownerId());
  const first = base(tenant, owner());
  if (first === null) return null;
  const rows: Row[] = [first];
  for (const column of tenant.columns.filter((c) => settable(c, tenant.ownerColumn))) {
    for (const state of states(column)) {
      const row = base(tenant, owner());
      if (row === null) continue;
      row[column.name] = state;
      // Unique columns of the base row must differ from row to row.
      for (const c of tenant.columns) if (c.uniqueAlone && c.name !== column.name && c.name in row) row[c.name] = fresh(c) ?? row[c.name]!;
      rows.push(row);
    }
  }
  return rows;
}

/** A constant to SET a column to in an UPDATE with no WHERE (so no SELECT policy applies), or null. */
export function harmlessConstant(column: Column): Value | undefined {
  if (column.uniqueAlone || column.otherForeignKey || column.generated) return undefined;
  if (column.baseType === 'bool') return true;
  if (column.baseType === 'timestamptz' || column.baseType === 'timestamp') return new Date().toISOString();
  if (['text', 'varchar', 'bpchar'].includes(column.baseType)) return 'rls probe';
  return undefined;
}
