import { requireWritable } from '../connection/writable.js';
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
  /** Better Auth rows of those users (contract v1.2.0): sessions and accounts by cascade, verifications by email or id */
  sessions: number;
  accounts: number;
  verifications: number;
  batches: number;
  durationMs: number;
}

/** What a cleanup would remove, counted before it starts. */
export interface SeedDataCount {
  users: number;
  tasks: number;
  archived: number;
}

/**
 * Counts the seed users and their tasks and archived tasks (what `cleanup` would
 * remove), for a confirmation that says how much.
 *
 * @example
 * const { users, tasks, archived } = await countSeedData(database);
 */
export async function countSeedData(database: TodoDatabase): Promise<SeedDataCount> {
  assertCleanupBackend(database);
  await requireWritable(database, 'cleanup');
  await assertMaintenanceRole(database, 'cleanup', ['users', 'tasks', 'tasks_archive']);
  const { rows } = await sql<SeedDataCount>`
    with seed as (select id from users where lower(email) like '%@example.com')
    select (select count(*) from seed)::int as users,
           (select count(*) from tasks where user_id in (select id from seed))::int as tasks,
           (select count(*) from tasks_archive where user_id in (select id from seed))::int as archived`.execute(database.db);
  return rows[0] ?? { users: 0, tasks: 0, archived: 0 };
}

function assertCleanupBackend(database: TodoDatabase): void {
  if (!database.capabilities.catalog) {
    // pg-mem evaluates the statement's data-modifying CTEs wrongly (it miscounts the tasks).
    throw new UnsupportedError(`cleanup is not available on ${database.kind}`, 'an in-memory database disappears with its process: open a new one instead');
  }
}

type Counts = Omit<CleanupResult, 'durationMs'>;

export interface CleanupOptions {
  /** after each batch, with the running totals */
  onBatch?: (totals: Counts) => void;
}

/**
 * Removes the seed users (emails ending in @example.com, any case) and, by
 * cascade, their tasks and archived tasks, one batch of at most 1000 users per
 * transaction; never any other row. Returns what it removed.
 *
 * @example
 * const { users, tasks } = await cleanup(database);
 */
export async function cleanup(database: TodoDatabase, options: CleanupOptions = {}): Promise<CleanupResult> {
  assertCleanupBackend(database);
  await assertMaintenanceRole(database, 'cleanup', SCHEMA_TABLES);
  const statement = sql.raw<Omit<Counts, 'batches'>>(readSql('cleanup.sql'));
  const started = performance.now();
  const totals: Counts = { users: 0, tasks: 0, archived: 0, sessions: 0, accounts: 0, verifications: 0, batches: 0 };
  for (;;) {
    const { rows } = await statement.execute(database.db);
    const removed = rows[0];
    if (!removed || removed.users === 0) break;
    for (const key of ['users', 'tasks', 'archived', 'sessions', 'accounts', 'verifications'] as const) totals[key] += removed[key];
    totals.batches++;
    options.onBatch?.({ ...totals });
  }
  return { ...totals, durationMs: performance.now() - started };
}
