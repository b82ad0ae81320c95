import pg from 'pg';
import { ConnectionError } from '../errors.js';
import { stalePreparedStatement, statementName } from './statement-names.js';

/**
 * pg's Client, closing its socket when connecting fails. pg-pool drops a client
 * whose connect failed without ending it; when the failure is on our side (the
 * server asks for a SCRAM password and none was given) the server keeps waiting for
 * the answer, the socket stays open until its authentication_timeout (a minute),
 * and that socket alone keeps the process alive after the error was printed.
 */
export class ClosingClient extends pg.Client {
  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error | null, client?: pg.Client) => void): void;
  // biome-ignore lint/suspicious/noConfusingVoidType: the implementation signature of pg's two overloads
  override connect(callback?: (err: Error | null, client?: pg.Client) => void): Promise<pg.Client> | void {
    const onFailure = (error: Error): Error => {
      this.end().catch(() => undefined);
      return explain(error, this);
    };
    if (!callback) return super.connect().catch((error: Error) => Promise.reject(onFailure(error)));
    super.connect((error: Error | null) => (error ? callback(onFailure(error)) : callback(null, this)));
  }
}

/** pg's own words ("client password must be a string") name neither the cause nor the cure. */
function explain(error: Error, client: pg.Client): Error {
  if (!/client password must be a (non-empty )?string|Password must be a string/i.test(error.message)) return error;
  return new ConnectionError(
    `${client.host}:${client.port} asks for a password for user "${client.user ?? ''}", and none was given`,
    'add :password after the user name in --url or DATABASE_URL, or set PGPASSWORD',
    { cause: error },
  );
}

/**
 * A ClosingClient that runs todo-db's registered statements (the seven patterns)
 * as named prepared statements, so the server parses and plans each, row-level
 * security included, once per connection instead of once per call
 * (docs/plan-cache.md). Every other query is sent as pg sends it.
 *
 * A prepared statement can go stale: the app ran DISCARD ALL or DEALLOCATE on the
 * connection, or a migration changed the type of a column it returns. The call that meets
 * it is sent once more, prepared afresh, when it ran outside a transaction; inside
 * one (withUser) the transaction is already aborted, so that call fails with the
 * server's error and the client prepares its statements again, under fresh names,
 * for the next call.
 */
export class PlanCachingClient extends ClosingClient {
  #epoch = 0;
  /** SQL-level prepared statements (`prepare … as`) asUser made on this connection */
  readonly sqlPrepared = new Set<string>();

  override query(...args: any[]): any {
    const [config, values, callback] = args;
    if (typeof config === 'string' && /^\s*(discard|deallocate)\b/i.test(config)) {
      this.#epoch++;
      this.sqlPrepared.clear();
    }
    const base = typeof config === 'string' && Array.isArray(values) ? statementName(config) : undefined;
    if (!base) return (super.query as (...a: any[]) => any)(...args);
    const named = () => ({ name: this.#epoch === 0 ? base : `${base}_${this.#epoch}`, text: config, values });
    const noteStale = (error: unknown) => {
      const stale = stalePreparedStatement(error);
      if (stale) this.#epoch++;
      return stale;
    };
    if (typeof callback === 'function') {
      return super.query(named(), (error: Error | null, result: pg.QueryResult) => {
        if (error) noteStale(error);
        callback(error, result);
      });
    }
    return super.query(named()).catch((error: unknown) => {
      // Outside a transaction ('I', before or after this statement) it changed nothing: sent once more, prepared afresh.
      if (noteStale(error) && this.getTransactionStatus() === 'I') return super.query(named());
      throw error;
    });
  }
}
