import { sql, type Kysely } from 'kysely';
import { INSPECT_TIMEOUTS } from '../connection/open.js';

/**
 * Through a transaction pooler the statements of one client connection may each
 * run on another server connection, so health's session-level limits and its
 * own-backend cancel would land on other clients' sessions. Health runs there as
 * one transaction instead: the pooler keeps it on one server connection (its pid
 * is health's own while it lasts), the limits are SET LOCAL, and the closing
 * ROLLBACK undoes any SET a check made. Each query gets a savepoint, so one that
 * fails (a lock timeout, a permission) does not abort the checks after it.
 */
export async function beginPooledSession(conn: Kysely<any>): Promise<void> {
  await sql`begin`.execute(conn);
  await sql`select set_config('statement_timeout', ${`${INSPECT_TIMEOUTS.statementTimeoutMs}ms`}, true), set_config('lock_timeout', ${`${INSPECT_TIMEOUTS.lockTimeoutMs}ms`}, true)`.execute(
    conn,
  );
}

export async function inSavepoint<T>(conn: Kysely<any>, fn: () => Promise<T>): Promise<T> {
  await sql`savepoint todo_db_health`.execute(conn);
  try {
    const value = await fn();
    await sql`release savepoint todo_db_health`.execute(conn);
    return value;
  } catch (error) {
    await sql`rollback to savepoint todo_db_health`.execute(conn).catch(() => undefined);
    throw error;
  }
}
