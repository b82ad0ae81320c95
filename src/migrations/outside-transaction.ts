import { CompiledQuery, sql, type Kysely } from 'kysely';
import { backendOf } from '../connection/capabilities.js';
import { ProblemError } from '../errors.js';
import { readSql } from '../sql-file.js';

/** How long a non-transactional step may wait for a table lock before it gives up. */
export const OUTSIDE_TRANSACTION_LOCK_TIMEOUT = '5s';
/** Transactions open longer than this are named before the step: it will wait for them. */
export const DEFAULT_LONG_TRANSACTION_SECONDS = 60;

/**
 * Runs a migration that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`).
 * The migration lock is a session lock taken by polling, so no runner waiting for
 * it holds a snapshot the index build would wait for. Such a migration must be
 * idempotent (`if not exists`): a crash between the step and its bookkeeping
 * re-runs it. An invalid index, before or after, stops the run with the fix.
 */
export async function runOutsideTransaction(
  conn: Kysely<any>,
  name: string,
  step: (db: Kysely<any>) => Promise<void>,
  longTransactionSeconds = DEFAULT_LONG_TRANSACTION_SECONDS,
): Promise<void> {
  const backend = backendOf(conn);
  if (!backend.capabilities.catalog) return step(conn);
  await refuseInvalidIndexes(conn, name, 'before');
  if (backend.capabilities.sessions) {
    for (const t of await longTransactions(conn, longTransactionSeconds)) {
      backend.notices.push(`${name} will wait for pid ${t.pid}, in a transaction for ${t.seconds} s: ${t.query.slice(0, 80)}`);
    }
  }
  await sql`select set_config('lock_timeout', ${OUTSIDE_TRANSACTION_LOCK_TIMEOUT}, false)`.execute(conn);
  try {
    await step(conn);
  } finally {
    await sql`reset lock_timeout`.execute(conn).catch(() => undefined);
    await refuseInvalidIndexes(conn, name, 'after');
  }
}

async function refuseInvalidIndexes(conn: Kysely<any>, name: string, when: 'before' | 'after'): Promise<void> {
  const rows = (await conn.executeQuery<{ index: string }>(CompiledQuery.raw(readSql('migrations/invalid-indexes.sql')))).rows;
  const first = rows[0];
  if (!first) return;
  throw new ProblemError(
    when === 'before'
      ? `invalid index ${first.index} is left from an earlier failed build; ${name} would not repair it`
      : `${name} left the invalid index ${first.index} behind (a failed or cancelled concurrent build)`,
    `run DROP INDEX CONCURRENTLY ${first.index}; then \`todo-db migrate up\` again`,
  );
}

async function longTransactions(conn: Kysely<any>, seconds: number): Promise<Array<{ pid: number; seconds: number; query: string }>> {
  const { rows } = await conn.executeQuery<{ pid: number; seconds: number; query: string }>(
    CompiledQuery.raw(readSql('migrations/long-transactions.sql'), [seconds]),
  );
  return rows;
}
