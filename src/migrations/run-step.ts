import type { Kysely } from 'kysely';
import { backendOf } from '../connection/capabilities.js';
import { DEFAULT_DDL_LOCK_BUDGET_MS, DEFAULT_DDL_LOCK_TIMEOUT_MS, setLockTimeout, withLockRetries, type DdlLockOptions, type LockRetryReport } from './lock-retry.js';
import { runOutsideTransaction } from './outside-transaction.js';

export interface StepOptions extends DdlLockOptions {
  longTransactionSeconds?: number;
  direction?: 'up' | 'down';
  /** watch who blocks the step by its backend pid (default true); through a pooler the pid is not the step's */
  watchBlockers?: boolean;
}

/**
 * Runs one migration step: in its own transaction, or outside one when the
 * migration says `transaction: false`. On a server every statement of it waits
 * at most the DDL lock timeout for a lock, and a lock timeout retries the whole
 * step within the lock budget (lock-retry.ts). PGlite and pg-mem have one
 * session, so nothing can block them: they run the step as it is.
 * Returns the retry report when the step hit at least one lock timeout.
 */
export async function runMigrationStep(
  conn: Kysely<any>,
  observer: Kysely<any>,
  name: string,
  transactional: boolean,
  step: (db: Kysely<any>) => Promise<void>,
  options: StepOptions,
): Promise<LockRetryReport | undefined> {
  const timeoutMs = options.ddlLockTimeoutMs ?? DEFAULT_DDL_LOCK_TIMEOUT_MS;
  if (!backendOf(conn).capabilities.sessions) {
    if (transactional) await conn.transaction().execute(step);
    else await runOutsideTransaction(conn, name, step, { ...options, lockTimeoutMs: timeoutMs, retry: (attempt) => attempt() });
    return undefined;
  }
  let report: LockRetryReport | undefined;
  const retry = async (attempt: () => Promise<void>, beforeRetry?: () => Promise<void>) => {
    const context = {
      migration: name,
      conn,
      observer,
      timeoutMs,
      budgetMs: options.ddlLockBudgetMs ?? DEFAULT_DDL_LOCK_BUDGET_MS,
      ...(options.direction ? { direction: options.direction } : {}),
      ...(options.onLockEvent ? { onEvent: options.onLockEvent } : {}),
      ...(beforeRetry ? { beforeRetry } : {}),
      ...(options.watchBlockers === false ? { watch: false } : {}),
    };
    report = (await withLockRetries(context, attempt)).report;
  };
  if (transactional) {
    await retry(() =>
      conn.transaction().execute(async (trx) => {
        await setLockTimeout(trx, timeoutMs, true);
        await step(trx);
      }),
    );
  } else {
    await runOutsideTransaction(conn, name, step, { ...options, lockTimeoutMs: timeoutMs, retry });
  }
  const done = report as LockRetryReport | undefined;
  return done && done.lockTimeouts > 0 ? done : undefined;
}
