import { sql, type Kysely, type Transaction } from 'kysely';
import { UsageError } from '../errors.js';
import { USER_SETTING } from './declaration.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in a transaction whose `app.current_user_id` is `userId`, set with
 * `set_config(..., true)`: transaction-local, gone at COMMIT or ROLLBACK. That is
 * what makes it safe behind transaction poolers (Neon, PgBouncer), where the next
 * transaction on the same server connection may belong to another request; a
 * session-level SET would leak one user's id into another user's queries.
 * Called with a transaction, it sets the id on that transaction instead.
 *
 * @example
 * const tasks = await withUser(db, session.userId, (trx) =>
 *   trx.selectFrom('tasks').selectAll().orderBy('created_at', 'desc').limit(50).execute());
 */
export async function withUser<DB, T>(db: Kysely<DB> | Transaction<DB>, userId: string, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (typeof userId !== 'string' || !UUID.test(userId)) {
    throw new UsageError(`withUser needs a user id that is a uuid, got ${JSON.stringify(String(userId)).slice(0, 60)}`, 'pass the id of the signed-in user');
  }
  const run = async (trx: Transaction<DB>) => {
    await sql`select set_config(${USER_SETTING}, ${userId}, true)`.execute(trx);
    return fn(trx);
  };
  if (db.isTransaction) return run(db as Transaction<DB>);
  return db.transaction().execute(run);
}
