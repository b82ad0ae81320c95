import type { Kysely } from 'kysely';
import { migrationLockBusy, tryTransactionMigrationLock } from '../connection/advisory-lock.js';
import type { PoolerProbe } from '../connection/pooler.js';
import type { Target } from '../connection/target.js';
import { UsageError } from '../errors.js';
import { readApplied } from './bookkeeping.js';

/**
 * Through a transaction pooler the session migration lock is not a lock: the
 * server connection that holds it goes back to the pool (the next client there
 * "holds" it too, advisory locks being re-entrant per session), and the unlock
 * may run on another one. So there each migration's own transaction takes the
 * lock (pg_advisory_xact_lock, gone at COMMIT or ROLLBACK) and looks again,
 * under it, whether another runner applied the migration meanwhile.
 */
export class MigrationLockBusy extends Error {}

const UNPOOLED = 'use the direct connection: set DATABASE_URL_UNPOOLED, or pass the unpooled URL with --url';

/** Takes the transaction lock or throws MigrationLockBusy; true when `name` is already applied under it. */
export async function lockAndCheck(trx: Kysely<any>, name: string | undefined): Promise<boolean> {
  if (!(await tryTransactionMigrationLock(trx))) throw new MigrationLockBusy();
  if (name === undefined) return false;
  return ((await readApplied(trx)) ?? []).some((m) => m.name === name);
}

/**
 * Runs `attempt` (one whole transaction that takes the lock) again while the
 * lock is busy, sleeping in between with nothing held: a runner waiting for its
 * turn keeps no server connection of the pool.
 */
export async function whileLockBusy<T>(db: Kysely<any>, waitMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof MigrationLockBusy)) throw error;
      if (Date.now() >= deadline) throw await migrationLockBusy(db, waitMs);
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    }
  }
}

/** One line: what cannot run through this pooler, and where to run it. */
export function pooledRefusal(target: Target, probe: PoolerProbe, what: string): UsageError {
  const hint = probe.declared ? `${UNPOOLED}; if this URL is direct, set the pooler setting (TODO_DB_POOLER) to auto or direct` : UNPOOLED;
  return new UsageError(`${target.display} goes through a transaction pooler (${probe.evidence ?? 'detected'}): ${what}`, hint);
}
