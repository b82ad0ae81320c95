import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  Transaction,
  sql,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
} from 'kysely';
import { backendOf } from '../connection/capabilities.js';
import { UsageError } from '../errors.js';
import { USER_SETTING } from './declaration.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws the one-line usage error unless `userId` is a uuid; after this it is safe as a literal. */
export function checkUserId(userId: unknown, what = 'withUser'): asserts userId is string {
  if (typeof userId !== 'string' || !UUID.test(userId)) {
    throw new UsageError(`${what} needs a user id that is a uuid, got ${JSON.stringify(String(userId)).slice(0, 60)}`, 'pass the id of the signed-in user');
  }
}

/** True for a string that is a uuid (so it may be inlined as a literal). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** `select set_config('app.current_user_id', '<uuid>', true)`: only ever called with a checked uuid. */
export const setUserSql = (userId: string) => `select set_config('${USER_SETTING}', '${userId}', true)`;

const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

/**
 * Runs `fn` in a transaction whose `app.current_user_id` is `userId`, set with
 * `set_config(..., true)`: transaction-local, gone at COMMIT or ROLLBACK. That is
 * what makes it safe behind transaction poolers (Neon, PgBouncer), where the next
 * transaction on the same server connection may belong to another request; a
 * session-level SET would leak one user's id into another user's queries.
 *
 * Three round trips: `begin; select set_config(...)` as one simple query (the id is
 * checked to be a uuid first, so it goes in as a literal), the callback's queries,
 * `commit`. Called with a transaction, it runs `fn` in a savepoint of it with the
 * id set, and puts the outer transaction's id back afterwards; when `fn` throws,
 * its work is rolled back to the savepoint and the error passed on.
 *
 * For the seven typed patterns there is a one-round-trip path: `asUser` (docs/fast-path.md).
 *
 * @example
 * const tasks = await withUser(db, session.userId, (trx) =>
 *   trx.selectFrom('tasks').selectAll().orderBy('created_at', 'desc').limit(50).execute());
 */
export async function withUser<DB, T>(db: Kysely<DB> | Transaction<DB>, userId: string, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  checkUserId(userId);
  if (db.isTransaction) return nested(db as Transaction<DB>, userId, fn);
  // pg-mem has no set_config (nor RLS): the plain transaction, as before.
  if (backendOf(db).kind === 'pgmem') {
    return db.transaction().execute(async (trx) => {
      await sql`select set_config(${USER_SETTING}, ${userId}, true)`.execute(trx);
      return fn(trx);
    });
  }
  const executor = db.getExecutor();
  return executor.provideConnection(async (connection: DatabaseConnection) => {
    let open = true;
    // A Transaction bound to this connection that refuses queries once committed
    // or rolled back (a callback that keeps it must not run on a pooled connection).
    const bound = executor.withConnectionProvider({
      provideConnection: (consume) => {
        if (!open) return Promise.reject(new Error('withUser: the transaction is already committed or rolled back'));
        return consume(connection);
      },
    });
    const trx = new Transaction<DB>({ config: { dialect: DIALECT }, dialect: DIALECT, driver: DRIVER, executor: bound });
    try {
      await connection.executeQuery(CompiledQuery.raw(`begin; ${setUserSql(userId)}`));
      const result = await fn(trx);
      open = false;
      await connection.executeQuery(COMMIT);
      return result;
    } catch (error) {
      open = false;
      // Also after a failed begin: harmless outside a transaction, and never leaves one open.
      await connection.executeQuery(ROLLBACK).catch(() => undefined);
      throw error;
    }
  });
}

let savepoints = 0;

/** Inside a caller's transaction: a savepoint, the id set, the outer id restored after. */
async function nested<DB, T>(trx: Transaction<DB>, userId: string, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  const name = `todo_db_with_user_${++savepoints}`;
  // `offset 0` keeps the sub-select a separate step, so it reads the id before set_config changes it.
  const { rows } = await sql<{ previous: string | null }>`select p.previous, set_config(${USER_SETTING}, ${userId}, true)
    from (select current_setting(${USER_SETTING}, true) as previous offset 0) p`.execute(trx);
  const previous = rows[0]?.previous ?? '';
  const restore = sql`select set_config(${USER_SETTING}, ${previous}, true)`;
  await sql.raw(`savepoint ${name}`).execute(trx);
  let result: T;
  try {
    result = await fn(trx);
  } catch (error) {
    await sql.raw(`rollback to savepoint ${name}`).execute(trx);
    await sql.raw(`release savepoint ${name}`).execute(trx);
    await restore.execute(trx);
    throw error;
  }
  await sql.raw(`release savepoint ${name}`).execute(trx);
  await restore.execute(trx);
  return result;
}

/**
 * What the Transaction object needs besides its executor: the PostgreSQL compiler
 * family for `introspection`, and a driver that refuses what a transaction cannot
 * do anyway (Kysely's own Transaction throws for transaction(), connection(), destroy()).
 */
const refuse = (what: string) => () => Promise.reject(new UsageError(`${what} is not available inside withUser`, 'run it outside the callback'));
const DRIVER: Driver = {
  init: async () => undefined,
  acquireConnection: refuse('a new connection'),
  beginTransaction: refuse('a nested transaction (startTransaction)'),
  commitTransaction: refuse('commit'),
  rollbackTransaction: refuse('rollback'),
  releaseConnection: async () => undefined,
  destroy: refuse('destroy'),
};
const DIALECT: Dialect = {
  createAdapter: () => new PostgresAdapter(),
  createDriver: () => DRIVER,
  createIntrospector: (db) => new PostgresIntrospector(db),
  createQueryCompiler: () => new PostgresQueryCompiler(),
};
