import { sql, type Kysely } from 'kysely';
import { SCHEMA_TABLES } from '../snapshot/schema-tables.js';
import { ProblemError } from '../errors.js';
import { hasSqlState } from '../sql-state.js';

/** The tables whose rows a backup must carry over exactly; compared after every restore. */
export const CONTENT_TABLES = SCHEMA_TABLES;

export interface TableContents {
  table: string;
  rows: number;
  /**
   * Order-independent digest of every row's text (the sum of a 60-bit slice of
   * md5(row::text)), so two databases with the same rows agree without sorting
   * or holding the table in memory.
   */
  fingerprint: string;
}

/** Every table, view and foreign table in the current schema, bookkeeping included. */
export async function schemaTables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select relname as name from pg_class
    where relnamespace = current_schema()::regnamespace and relkind in ('r', 'p', 'v', 'm', 'f')
    order by relname`.execute(db);
  return rows.map((r) => r.name);
}

/**
 * Row count and fingerprint of each content table that exists. Runs in its own
 * transaction unless given one; with row_security off it fails loudly instead of
 * counting only the rows a policy lets through (as pg_dump does).
 */
export async function tableContents(db: Kysely<any>): Promise<TableContents[]> {
  if (db.isTransaction) return readContents(db);
  return db.transaction().execute(readContents);
}

async function readContents(trx: Kysely<any>): Promise<TableContents[]> {
  // Row text must not depend on the session: timestamptz prints in the TimeZone setting.
  await sql`set local timezone = 'UTC'`.execute(trx);
  await sql`set local datestyle = 'ISO, YMD'`.execute(trx);
  await sql`set local row_security = off`.execute(trx);
  const present = new Set(await schemaTables(trx));
  const result: TableContents[] = [];
  for (const table of CONTENT_TABLES.filter((t) => present.has(t))) {
    try {
      const { rows } = await sql<{ rows: string; fingerprint: string }>`
        select count(*)::text as rows,
               coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)::text as fingerprint
        from ${sql.table(table)} t`.execute(trx);
      result.push({ table, rows: Number(rows[0]?.rows ?? 0), fingerprint: rows[0]?.fingerprint ?? '0' });
    } catch (error) {
      if (hasSqlState(error, 'insufficientPrivilege')) {
        throw new ProblemError(
          `the connected role cannot read every row of ${table}: row-level security applies to it, so a backup would miss rows`,
          'connect as the maintenance role (the table owner with BYPASSRLS, or a superuser)',
          { cause: error },
        );
      }
      throw error;
    }
  }
  return result;
}
