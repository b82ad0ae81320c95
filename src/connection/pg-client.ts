import pg from 'pg';
import { ConnectionError } from '../errors.js';

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
