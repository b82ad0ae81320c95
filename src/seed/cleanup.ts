import { join } from 'node:path';
import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { UnsupportedError } from '../errors.js';
import { packageRoot } from '../migrations/files.js';
import { readSql } from '../sql-file.js';
import { assertMaintenanceRole } from './maintenance-role.js';
import { SCHEMA_TABLES } from '../snapshot/schema-tables.js';

/** The one batch statement, shared with people who run it in psql. */
export const CLEANUP_SQL_FILE = join(packageRoot(), 'sql', 'cleanup.sql');

export interface CleanupResult {
  users: number;
  tasks: number;
  /** tasks_archive rows of those users, removed by the same cascade */
  archived: number;
  batches: number;
  durationMs: number;
}

export interface CleanupOptions {
  /** after each batch, with the running totals */
  onBatch?: (totals: { users: number; tasks: number; archived: number; batches: number }) => void;
}

/**
 * Removes the seed users (emails ending in @example.com, any case) and, by
 * cascade, their tasks and archived tasks, one batch of at most 1000 users per
 * transaction; never any other row. Returns what it removed.
 *
 * @example
 * const { users, tasks } = await cleanup(handle);
 */
export async function cleanup(handle: TodoDatabase, options: CleanupOptions = {}): Promise<CleanupResult> {
  if (!handle.capabilities.catalog) {
    // pg-mem evaluates the statement's data-modifying CTEs wrongly (it miscounts the tasks).
    throw new UnsupportedError(`cleanup is not available on ${handle.kind}`, 'an in-memory database disappears with its process: open a new one instead');
  }
  await assertMaintenanceRole(handle, 'cleanup', SCHEMA_TABLES);
  const statement = sql.raw<{ users: number; tasks: number; archived: number }>(readSql('cleanup.sql'));
  const started = performance.now();
  const totals = { users: 0, tasks: 0, archived: 0, batches: 0 };
  for (;;) {
    const { rows } = await statement.execute(handle.db);
    const removed = rows[0] ?? { users: 0, tasks: 0, archived: 0 };
    if (removed.users === 0) break;
    totals.users += removed.users;
    totals.tasks += removed.tasks;
    totals.archived += removed.archived;
    totals.batches++;
    options.onBatch?.({ ...totals });
  }
  return { ...totals, durationMs: performance.now() - started };
}
