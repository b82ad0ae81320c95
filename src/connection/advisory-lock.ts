import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { LockTimeoutError } from '../errors.js';

/** Kysely's own lock id, so todo-db and `kysely migrate:*` exclude each other. */
export const MIGRATION_LOCK_ID = 3853314791062309107n;
export const DEFAULT_LOCK_WAIT_MS = 60_000;

/**
 * Takes the session-level migration lock by polling a try-lock. Never a blocking
 * wait: a waiter queued behind a lock cannot be part of a deadlock with, say, a
 * concurrent index build, and the wait is bounded.
 */
export async function acquireMigrationLock(db: Kysely<any>, waitMs = DEFAULT_LOCK_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${sql.lit(MIGRATION_LOCK_ID)}) as locked`.execute(db);
    if (rows[0]?.locked) return;
    if (Date.now() >= deadline) throw await migrationLockBusy(db, waitMs);
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
  }
}

/**
 * The migration lock for the current transaction only, if it is free. COMMIT or
 * ROLLBACK releases it, so a transaction pooler cannot leave it behind on a
 * server connection that the next client gets; it conflicts with the session
 * lock above, so runners through a pooler and direct ones exclude each other.
 */
export async function tryTransactionMigrationLock(trx: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_ID)}) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

/** The error of a wait for the migration lock that ran out, naming the holder when it can. */
export async function migrationLockBusy(db: Kysely<any>, waitMs: number): Promise<LockTimeoutError> {
  const holder = await lockHolder(db);
  return new LockTimeoutError(
    `another migration run${holder} holds the migration lock; gave up after ${Math.round(waitMs / 1000)} s`,
    'wait for it to finish, or raise --lock-timeout',
  );
}

export async function releaseMigrationLock(db: Kysely<any>): Promise<void> {
  await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_ID)})`.execute(db);
}

async function lockHolder(db: Kysely<any>): Promise<string> {
  try {
    const { rows } = await sql<{ pid: number; application_name: string }>`
      select a.pid, a.application_name from pg_locks l join pg_stat_activity a using (pid)
      where l.locktype = 'advisory' and l.granted
        -- Advisory locks are per database: the same key held in another database is another app's run.
        and l.database = (select oid from pg_database where datname = current_database())
        and (l.classid::bigint << 32 | l.objid::bigint) = ${sql.lit(MIGRATION_LOCK_ID)}
      limit 1`.execute(db);
    const row = rows[0];
    return row ? ` (pid ${row.pid}${row.application_name ? `, ${row.application_name}` : ''})` : '';
  } catch {
    return '';
  }
}

/** PostgreSQL adapter whose migration lock is the bounded, polling one above. */
export class MigrationLockAdapter extends PostgresAdapter {
  /** how long a runner waits for the migration lock */
  constructor(readonly waitMs: number = DEFAULT_LOCK_WAIT_MS) {
    super();
  }
  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    await acquireMigrationLock(db, this.waitMs);
  }
  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    await releaseMigrationLock(db);
  }
}
