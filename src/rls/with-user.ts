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
import { serverPoolOf, type ServerPool } from '../connection/server-pools.js';
import { UsageError } from '../errors.js';
import { driverEscape } from '../queries/statements.js';
import { UserConnection, type UserClient } from './user-connection.js';
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
 * On `database.db` of a server opened by openDatabase, the transaction opens with the callback's
 * first statement: `begin; select set_config(...); <statement>` as one simple
 * query when it is one of the seven typed patterns (its values as literals), so
 * `withUser(db, id, (trx) => listTasks(trx, id))` costs two round trips, the
 * statement and `commit`; any other first statement is preceded by `begin; select
 * set_config(...)` on its own (three round trips). The id is checked to be a uuid
 * first, so it goes in as a literal. On PGlite, on a Kysely instance of the app's
 * own, on one derived from `database.db` (withPlugin, withSchema) and inside
 * `db.connection()`: `begin; select set_config(...)`, the callback's queries, `commit`.
 * Called with a transaction, it runs `fn` in a savepoint of it with the
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
  const pool = serverPoolOf(db.getExecutor());
  if (pool) return onServer(db, pool, userId, fn);
  // PGlite, or a Kysely instance openDatabase did not make itself: three round trips on Kysely's own connection.
  return db.getExecutor().provideConnection(async (connection: DatabaseConnection) => {
    let open = true;
    const trx = transactionOn(db, connection, () => open);
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

/**
 * On a server opened by todo-db: a connection of the pool, the transaction opened
 * with the callback's first statement (src/rls/user-connection.ts).
 */
async function onServer<DB, T>(db: Kysely<DB>, pool: ServerPool, userId: string, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  const escapeLiteral = await driverEscape();
  const client = (await pool.connect()) as UserClient & { release(error?: Error): void };
  const connection = new UserConnection(client, `begin; ${setUserSql(userId)}`, escapeLiteral);
  let open = true;
  let broken: Error | undefined;
  const trx = transactionOn(db, connection, () => open);
  try {
    const result = await fn(trx);
    open = false;
    await connection.finish('commit');
    return result;
  } catch (error) {
    open = false;
    // A connection that cannot even roll back is not given back to the pool.
    await connection.finish('rollback').catch((failed: Error) => {
      broken = failed;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A Transaction bound to `connection` that refuses queries once committed or rolled back (one kept past the callback must not run on a pooled connection). */
function transactionOn<DB>(db: Kysely<DB>, connection: DatabaseConnection, open: () => boolean): Transaction<DB> {
  const executor = db.getExecutor().withConnectionProvider({
    provideConnection: (consume) => (open() ? consume(connection) : Promise.reject(new Error('withUser: the transaction is already committed or rolled back'))),
  });
  return new Transaction<DB>({ config: { dialect: DIALECT }, dialect: DIALECT, driver: DRIVER, executor });
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
