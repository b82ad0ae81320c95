import { CompiledQuery, sql, type Kysely } from 'kysely';
import { backendOf } from '../connection/capabilities.js';
import { ProblemError } from '../errors.js';
import { readSql } from '../sql-file.js';
import { DdlLockBudgetError, setLockTimeout } from './lock-retry.js';
/** Transactions open longer than this are named before the step: it will wait for them. */
export const DEFAULT_LONG_TRANSACTION_SECONDS = 60;

export interface OutsideTransactionOptions {
  longTransactionSeconds?: number;
  /** the DDL lock timeout (lock-retry.ts); each wait of the step gives up after it */
  lockTimeoutMs: number;
  /** runs the step again on a lock timeout; `cleanup` drops what a timed-out attempt left */
  retry: (attempt: () => Promise<void>, cleanup: () => Promise<void>) => Promise<void>;
}

/**
 * Runs a migration that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`).
 * The migration lock is a session lock taken by polling, so no runner waiting for
 * it holds a snapshot the index build would wait for. Such a migration must be
 * idempotent (`if not exists`): a crash between the step and its bookkeeping
 * re-runs it. An invalid index before the step stops the run with the fix; one a
 * lock timeout left is dropped before the retry; one any other failure left stops it.
 */
export async function runOutsideTransaction(conn: Kysely<any>, name: string, step: (db: Kysely<any>) => Promise<void>, options: OutsideTransactionOptions): Promise<void> {
  const backend = backendOf(conn);
  if (!backend.capabilities.catalog) return step(conn);
  await refuseInvalidIndexes(conn, name, 'before');
  if (backend.capabilities.sessions) {
    for (const t of await longTransactions(conn, options.longTransactionSeconds ?? DEFAULT_LONG_TRANSACTION_SECONDS)) {
      backend.notices.push(`${name} will wait for pid ${t.pid}, in a transaction for ${t.seconds} s: ${t.query.slice(0, 80)}`);
    }
  }
  await setLockTimeout(conn, options.lockTimeoutMs, false);
  try {
    await options.retry(
      () => step(conn),
      () => dropInvalidIndexes(conn),
    );
  } catch (error) {
    if (!(error instanceof DdlLockBudgetError)) await refuseInvalidIndexes(conn, name, 'after');
    else {
      const left = await invalidIndexes(conn).catch(() => []);
      if (left.length > 0) throw new DdlLockBudgetError(error.migration, error.report, error.timeoutMs, error.budgetMs, left, error.direction);
    }
    throw error;
  } finally {
    await sql`reset lock_timeout`.execute(conn).catch(() => undefined);
  }
  await refuseInvalidIndexes(conn, name, 'after');
}

/**
 * The invalid indexes of a concurrent build that hit its lock timeout. None existed
 * before the step (checked), so they are this step's. DROP INDEX CONCURRENTLY takes
 * only a SHARE UPDATE EXCLUSIVE lock, and under the same lock_timeout.
 */
async function dropInvalidIndexes(conn: Kysely<any>): Promise<void> {
  for (const index of await invalidIndexes(conn)) await sql`drop index concurrently if exists ${sql.id(index)}`.execute(conn);
}

async function invalidIndexes(conn: Kysely<any>): Promise<string[]> {
  return (await conn.executeQuery<{ index: string }>(CompiledQuery.raw(readSql('migrations/invalid-indexes.sql')))).rows.map((r) => r.index);
}

async function refuseInvalidIndexes(conn: Kysely<any>, name: string, when: 'before' | 'after'): Promise<void> {
  const first = (await invalidIndexes(conn))[0];
  if (!first) return;
  throw new ProblemError(
    when === 'before'
      ? `invalid index ${first} is left from an earlier failed build; ${name} would not repair it`
      : `${name} left the invalid index ${first} behind (a failed or cancelled concurrent build)`,
    `run DROP INDEX CONCURRENTLY ${first}; then \`todo-db migrate up\` again`,
  );
}

async function longTransactions(conn: Kysely<any>, seconds: number): Promise<Array<{ pid: number; seconds: number; query: string }>> {
  const { rows } = await conn.executeQuery<{ pid: number; seconds: number; query: string }>(CompiledQuery.raw(readSql('migrations/long-transactions.sql'), [seconds]));
  return rows;
}
