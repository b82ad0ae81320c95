import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { statementName } from '../connection/statement-names.js';
import { sendPrefixed, type PgResult, type SimpleClient } from '../queries/one-query.js';
import { tryLiterals } from '../queries/statements.js';

/** A pg PoolClient as withUser uses it. */
export interface UserClient extends SimpleClient {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  query(config: { text: string }): Promise<unknown>;
}

/**
 * withUser's connection on a server: the transaction is opened together with the
 * callback's first statement. When that statement is one of the seven patterns
 * and its values can be literals, `begin; select set_config(…); <statement>` go
 * as one simple query (src/queries/one-query.ts): a typed function inside
 * withUser costs two round trips, the statement and `commit`. Anything else
 * starts with `begin; select set_config(…)` on its own and then runs bound, as before.
 * A callback that sends nothing opens no transaction at all.
 */
export class UserConnection implements DatabaseConnection {
  /** settles when the transaction is open (or failed to open); unset until the first statement */
  #opened?: Promise<unknown>;

  constructor(
    private readonly client: UserClient,
    /** `begin; select set_config('app.current_user_id', '<uuid>', true)` */
    private readonly begin: string,
    private readonly escapeLiteral: (text: string) => string,
  ) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#opened) {
      await this.#opened;
      return this.run(compiled);
    }
    // Everything up to the client.query call runs synchronously, so a second statement fired
    // without awaiting this one queues behind it, inside the transaction.
    if (statementName(compiled.sql) && tryLiterals(compiled.parameters, this.escapeLiteral)) {
      const first = sendPrefixed(this.client, `${this.begin}; `, compiled.sql, compiled.parameters, this.escapeLiteral, 'rollback; ');
      this.#opened = first.catch(() => undefined);
      return resultOf((await first)!);
    }
    const begun = this.client.query(this.begin);
    this.#opened = begun.catch(() => undefined);
    await begun;
    return this.run(compiled);
  }

  // biome-ignore lint/correctness/useYield: it refuses, as Kysely's own connection does without a cursor
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("'cursor' is not present in your postgres dialect config. It's required to make streaming work in postgres.");
  }

  /** COMMIT or ROLLBACK after whatever is still in flight; nothing when no statement opened the transaction. */
  async finish(command: 'commit' | 'rollback'): Promise<void> {
    if (!this.#opened) return;
    await this.#opened;
    await this.client.query(command);
  }

  private async run<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return resultOf(await this.client.query(compiled.sql, [...compiled.parameters]));
  }
}

/** What Kysely's PostgresConnection makes of pg's answer. */
function resultOf<R>(result: PgResult): QueryResult<R> {
  const { command, rowCount, rows } = result;
  const wrote = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  return { ...(wrote ? { numAffectedRows: BigInt(rowCount ?? 0) } : {}), rows: (rows ?? []) as R[] };
}
