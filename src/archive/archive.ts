import { requireWritable } from '../connection/writable.js';
import { CompiledQuery } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { UnsupportedError, UsageError } from '../errors.js';
import { assertMaintenanceRole } from '../seed/maintenance-role.js';
import { readSql } from '../sql-file.js';
import { parseBatchSize, parseCutoff, type ArchiveCutoff } from './cutoff.js';
import { SCHEMA_TABLES } from '../snapshot/schema-tables.js';

/** The batch statement, shared with people who run it in psql. */
export const ARCHIVE_BATCH_SQL = 'archive/batch.sql';

export interface ArchiveOptions {
  /** DURATION (90d, 6mo, 1y) or DATE (2026-01-31), as parseCutoff reads it, or a moment */
  completedBefore: string | Date;
  /** tasks per transaction (default 1000) */
  batchSize?: number;
  /** count what would move, move nothing */
  dryRun?: boolean;
  /** before anything moves, once the tasks are counted (not on a dry run or when none is due); throw to cancel */
  confirm?: (plan: ArchivePlan) => Promise<void>;
  /** when moving starts */
  onStart?: (plan: ArchivePlan) => void;
  /** after each committed batch, with the running total */
  onBatch?: (progress: { moved: number; batches: number; pending: number }) => void;
  /** stops before the next batch once aborted; the batches done stay done */
  signal?: AbortSignal;
}

export interface ArchivePlan {
  cutoff: Date;
  /** completed tasks last updated before the cutoff, counted at the start */
  pending: number;
  oldest: Date | null;
  newest: Date | null;
}

export interface ArchiveResult extends ArchivePlan {
  dryRun: boolean;
  batchSize: number;
  moved: number;
  batches: number;
  /** still in tasks and due at the end: rows another transaction held locked, or not reached when interrupted */
  remaining: number;
  /** stopped by the signal before the work was done */
  interrupted: boolean;
  durationMs: number;
}

export const DEFAULT_ARCHIVE_BATCH = 1000;

/** Where the previous batch ended, in (updated_at, id) order. */
interface BatchKey {
  updatedAt: Date | string;
  id: string;
}
const FIRST_KEY: BatchKey = { updatedAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
interface BatchRow {
  moved: number;
  last_updated_at: Date | string | null;
  last_id: string | null;
}

/**
 * Moves completed tasks last updated before the cutoff from tasks to
 * tasks_archive, one batch per transaction (sql/archive/batch.sql), until none is
 * left. Each task is moved exactly once: its delete and its insert commit
 * together, so an interrupted run loses nothing and a second run resumes.
 *
 * @example
 * const { moved } = await archiveTasks(database, { completedBefore: '90d' });
 */
export async function archiveTasks(database: TodoDatabase, options: ArchiveOptions): Promise<ArchiveResult> {
  const cutoffInput =
    typeof options.completedBefore === 'string' ? parseCutoff(options.completedBefore) : { input: options.completedBefore.toISOString(), date: options.completedBefore };
  const batchSize = parseBatchSize(options.batchSize ?? DEFAULT_ARCHIVE_BATCH);
  if (!database.capabilities.catalog) {
    // pg-mem evaluates data-modifying CTEs wrongly, so the move would not be atomic there.
    throw new UnsupportedError(`archive is not available on ${database.kind}`, 'archive on PostgreSQL or PGlite');
  }
  // A dry run only reads: it may plan on a standby.
  if (!options.dryRun) await requireWritable(database, 'archive');
  await assertMaintenanceRole(database, 'archive', SCHEMA_TABLES);
  const started = performance.now();
  const cutoff = await resolveCutoff(database, cutoffInput);
  const plan = { cutoff, ...(await pending(database, cutoff)) };
  if (!options.dryRun && plan.pending > 0) {
    await options.confirm?.(plan);
    options.onStart?.(plan);
  }
  const result: ArchiveResult = { ...plan, dryRun: options.dryRun === true, batchSize, moved: 0, batches: 0, remaining: plan.pending, interrupted: false, durationMs: 0 };
  // A second pass from the start picks up tasks skipped while another transaction held them.
  for (let pass = 0; pass < 2 && !options.dryRun && !result.interrupted && result.remaining > 0; pass++) {
    let key: BatchKey = FIRST_KEY;
    for (;;) {
      if (options.signal?.aborted) {
        result.interrupted = true;
        break;
      }
      const row = (await database.db.executeQuery<BatchRow>(CompiledQuery.raw(readSql(ARCHIVE_BATCH_SQL), [cutoff, batchSize, key.updatedAt, key.id]))).rows[0];
      if (!row || row.moved === 0 || row.last_updated_at === null || row.last_id === null) break;
      key = { updatedAt: row.last_updated_at, id: row.last_id };
      result.moved += row.moved;
      result.batches++;
      options.onBatch?.({ moved: result.moved, batches: result.batches, pending: plan.pending });
    }
    result.remaining = (await pending(database, cutoff)).pending;
  }
  result.durationMs = performance.now() - started;
  return result;
}

async function resolveCutoff(database: TodoDatabase, cutoff: ArchiveCutoff): Promise<Date> {
  const query = CompiledQuery.raw(readSql('archive/cutoff.sql'), ['interval' in cutoff ? cutoff.interval : '0 seconds']);
  const row = (await database.db.executeQuery<{ cutoff: Date | string; now: Date | string }>(query)).rows[0]!;
  const now = new Date(row.now);
  const at = 'interval' in cutoff ? new Date(row.cutoff) : cutoff.date;
  if (at.getTime() > now.getTime()) {
    throw new UsageError(`--completed-before ${cutoff.input} is in the future (the server's clock says ${now.toISOString()})`, 'give a past date, or a duration such as 90d');
  }
  return at;
}

async function pending(database: TodoDatabase, cutoff: Date): Promise<Omit<ArchivePlan, 'cutoff'>> {
  const { rows } = await database.db.executeQuery<{ tasks: number; oldest: Date | string | null; newest: Date | string | null }>(
    CompiledQuery.raw(readSql('archive/pending.sql'), [cutoff]),
  );
  const row = rows[0]!;
  const date = (d: Date | string | null) => (d === null ? null : new Date(d));
  return { pending: row.tasks, oldest: date(row.oldest), newest: date(row.newest) };
}
