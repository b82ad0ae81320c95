import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { SCHEMA_TABLES } from '../snapshot/schema-tables.js';
import { readSql } from '../sql-file.js';
import { INDEXES_SQL, indexVerdicts, type IndexReport, type IndexRow } from './index-verdicts.js';
import { requireCapabilities } from '../connection/capabilities.js';

export interface IndexesResult {
  /** no index is invalid (redundant and unused ones are advice, not failures) */
  ok: boolean;
  indexes: IndexReport[];
}

/**
 * Every index of the contract's tables: scans, tuples read, size and a verdict
 * (used, unused, redundant with the indexes covering it, or invalid).
 *
 * @example
 * const { indexes } = await monitorIndexes(database);
 * indexes.filter((i) => i.verdict === 'redundant'); // idx_tasks_user_id, covered by idx_tasks_user_completed, …
 */
export async function monitorIndexes(database: TodoDatabase): Promise<IndexesResult> {
  requireCapabilities(database, ['catalog', 'statistics'], 'monitor indexes');
  const { rows } = await sql.raw<IndexRow>(readSql(INDEXES_SQL)).execute(database.db);
  const indexes = indexVerdicts(rows).filter((i) => SCHEMA_TABLES.includes(i.table));
  return { ok: !indexes.some((i) => i.verdict === 'invalid'), indexes };
}
