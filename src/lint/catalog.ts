import { sql, type Kysely } from 'kysely';

/** Live size of a table: the planner's row estimate and its bytes on disk. */
export interface TableSize {
  rows: number;
  bytes: number;
}

/** The schema facts rules need: current column types, indexes and proven NOT NULLs. */
export interface SchemaFacts {
  /** `table.column` → format_type() */
  columns: Map<string, string>;
  /** index → table */
  indexes: Map<string, string>;
  /** `table.column` with a validated CHECK (column IS NOT NULL) */
  notNullChecks: Set<string>;
}

/**
 * Table sizes of the current schema, read-only. Rows are estimated as the planner
 * does, reltuples scaled to the table's current pages, so a table loaded since its
 * last ANALYZE (autovacuum may be off) is not taken for empty. A table never
 * analyzed (reltuples -1, or 0 over pages that now hold rows) gets its density
 * from a sample of 1,000 rows instead of the planner's guess from column widths.
 */
export async function readTableSizes(db: Kysely<any>): Promise<Map<string, TableSize>> {
  const { rows } = await sql<{ name: string; bytes: string; main: string; reltuples: number; relpages: number }>`
    select c.relname as name, pg_table_size(c.oid)::text as bytes, pg_relation_size(c.oid)::text as main,
           c.reltuples::float8 as reltuples, c.relpages
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p')`.execute(db);
  const sizes = new Map<string, TableSize>();
  for (const row of rows) {
    const main = Number(row.main);
    const pages = main / 8192;
    let estimate: number;
    if (main === 0) estimate = 0;
    else if (row.reltuples > 0 && row.relpages > 0) estimate = (row.reltuples / row.relpages) * pages;
    else estimate = await sampledRows(db, row.name, main);
    sizes.set(row.name, { rows: Math.round(estimate), bytes: Number(row.bytes) });
  }
  return sizes;
}

/** Rows ≈ main-fork bytes / (average row size + tuple header and line pointer). */
async function sampledRows(db: Kysely<any>, table: string, mainBytes: number): Promise<number> {
  const row = await db
    .transaction()
    .execute(async (trx) => {
      // ACCESS SHARE only, but a queued ACCESS EXCLUSIVE would make it wait: bound the wait
      await sql`set local lock_timeout = '2s'`.execute(trx);
      const { rows } = await sql<{ n: number; width: number | null }>`
        select count(*)::int as n, avg(pg_column_size(s.*))::float8 as width
        from (select * from only ${sql.table(table)} limit 1000) s`.execute(trx);
      return rows[0];
    })
    .catch(() => undefined);
  if (!row || row.n === 0 || row.width === null) return 0;
  if (row.n < 1000) return row.n; // the sample is the whole table
  return Math.max(row.n, mainBytes / (row.width + 4)); // pg_column_size of a row includes its header; + the line pointer
}

export async function readSchemaFacts(db: Kysely<any>): Promise<SchemaFacts> {
  const columns = await sql<{ t: string; c: string; type: string }>`
    select c.relname as t, a.attname as c, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped`.execute(db);
  const indexes = await sql<{ i: string; t: string }>`
    select i.relname as i, t.relname as t
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    join pg_namespace n on n.oid = t.relnamespace where n.nspname = current_schema()`.execute(db);
  const checks = await sql<{ t: string; def: string }>`
    select t.relname as t, pg_get_constraintdef(c.oid) as def
    from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = current_schema() and c.contype = 'c' and c.convalidated`.execute(db);
  const notNullChecks = new Set<string>();
  for (const row of checks.rows) {
    const column = /^CHECK \(\(("?)([^"]+)\1 IS NOT NULL\)\)$/.exec(row.def)?.[2];
    if (column) notNullChecks.add(`${row.t}.${column}`);
  }
  return {
    columns: new Map(columns.rows.map((r) => [`${r.t}.${r.c}`, r.type])),
    indexes: new Map(indexes.rows.map((r) => [r.i, r.t])),
    notNullChecks,
  };
}

/** provolatile per function name from pg_proc; of several overloads the most volatile ('i' < 's' < 'v'). */
export async function readVolatility(db: Kysely<any>, names: readonly string[]): Promise<Map<string, 'i' | 's' | 'v'>> {
  if (names.length === 0) return new Map();
  const { rows } = await sql<{ name: string; v: 'i' | 's' | 'v' }>`
    select proname as name, max(provolatile::text) as v from pg_proc
    where proname = any(${[...new Set(names)]}::text[]) group by proname`.execute(db);
  return new Map(rows.map((r) => [r.name, r.v]));
}
